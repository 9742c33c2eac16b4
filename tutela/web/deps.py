"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tutela.config import Settings
from tutela.policy.loader import load_policy_cached
from tutela.policy.model import Policy


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_policy(settings: SettingsDep) -> Policy:
    return load_policy_cached(settings.policy_file)


PolicyDep = Annotated[Policy, Depends(get_policy)]
