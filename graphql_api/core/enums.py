"""GraphQL enums made from the models' TextChoices: member names in English, the Chinese label as
the description, the stored value as the value."""

import graphene

from cases import models as m
from cases.models.cases import TransferScope as TransferScopeChoices


def choices_enum(name, choices, description=""):
    """The Django TextChoices class itself is the enum, so values read from the database (str)
    and members set in Python (``CaseState.DRAFT``) both serialize."""
    return graphene.Enum.from_enum(
        choices, name=name, description=lambda member: str(member.label) if member else description
    )


Stage = choices_enum("Stage", m.Stage, "学段")
RegistrationStatus = choices_enum("RegistrationStatus", m.RegistrationStatus, "学籍状态")
Level = choices_enum("Level", m.Level, "行政区划级别")
SchoolCategory = choices_enum("SchoolCategory", m.SchoolCategory, "学校类别(旧学籍号第9位,S=特殊教育)")
Supervision = choices_enum("Supervision", m.Supervision, "隶属关系")
Ownership = choices_enum("Ownership", m.Ownership, "办学性质")
Gender = choices_enum("Gender", m.Gender, "性别")
HouseholdType = choices_enum("HouseholdType", m.HouseholdType, "户口性质")
Disability = choices_enum("Disability", m.Disability, "残疾类型(NONE=无)")
CaseState = choices_enum("CaseState", m.CaseState, "案卷状态")
TransferScope = choices_enum("TransferScope", TransferScopeChoices, "转学范围")
ArchiveEntryKind = choices_enum("ArchiveEntryKind", m.ArchiveEntryKind, "档案条目类别")
AuxiliaryNumberKind = choices_enum("AuxiliaryNumberKind", m.AuxiliaryNumberKind, "学籍辅号类型")
Role = choices_enum("StaffRole", m.Role, "学籍工作人员角色")
ApprovalLevel = choices_enum("ApprovalLevel", m.ApprovalLevel, "审批层级")
ApprovalSide = choices_enum("ApprovalSide", m.ApprovalSide, "审批方")


def value(member):
    """The stored value of an enum argument (graphene 3 passes the member)."""
    return getattr(member, "value", member)
