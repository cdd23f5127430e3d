"""Verify the hash chains of the registry log and the read log (cases/chain.py).

Exit 0 when both chains are whole; otherwise names the first altered or missing entry of each
broken chain and exits 1. Prints each chain's head: record it somewhere else (a ticket, a
signed mail) and pass it back with ``--head`` to detect a rewritten or truncated chain.
"""

from django.core.management.base import BaseCommand, CommandError

from cases import chain
from cases import models as m

CHAINS = {"registry": (m.RegistryLogEntry, "学籍操作日志"), "reads": (m.ReadLogEntry, "学籍查阅记录")}


class Command(BaseCommand):
    help = "校验学籍操作日志与学籍查阅记录的哈希链,报告第一条被改动或缺失的记录"

    def add_arguments(self, parser):
        parser.add_argument("--head", action="append", default=[], metavar="CHAIN=HASH",
                            help="此前记录的链头(registry=… 或 reads=…),须仍在链中")

    def handle(self, *args, **options):
        heads = {}
        for item in options["head"]:
            name, _, value = item.partition("=")
            if name not in CHAINS or len(value) != 64:
                raise CommandError(f"--head 格式应为 registry=<64位摘要> 或 reads=<64位摘要>:{item}")
            heads[name] = value
        broken = False
        for name, (model, label) in CHAINS.items():
            problem, checked, head = chain.verify(model)
            if problem is None:
                self.stdout.write(f"{label}({name}):{checked} 条完好,链头 {head}")
            elif problem["kind"] == "altered":
                broken = True
                self.stdout.write(f"{label}({name}):第 {problem['id']} 号记录内容被改动"
                                  f"(之前 {checked} 条完好)")
            else:
                broken = True
                after = f"第 {problem['before']} 号之后、" if problem["before"] else "链首至"
                self.stdout.write(f"{label}({name}):{after}第 {problem['id']} 号之前有记录缺失或被改写"
                                  f"(之前 {checked} 条完好)")
            if name in heads and not chain.contains_hash(model, heads[name]):
                broken = True
                self.stdout.write(f"{label}({name}):记录的链头 {heads[name]} 已不在链中,日志被截断或重写")
        if broken:
            raise SystemExit(1)
