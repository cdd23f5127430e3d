from wagtail import hooks

ACTIONS = {
    "xueji.api_token.create": ("创建接口访问令牌", "创建接口访问令牌"),
    "xueji.api_token.revoke": ("吊销接口访问令牌", "吊销接口访问令牌"),
}


@hooks.register("register_log_actions")
def register_api_token_log_actions(actions):
    for action, (label, message) in ACTIONS.items():
        actions.register_action(action, label, message)
