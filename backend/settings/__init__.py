"""Every setting in one place: the ``Settings`` fields (env, ``.env``, and in aws mode SSM), each value with its one
check, and the aws-mode parameter tree that `vce configure` stores in SSM."""

from backend.settings.app_settings import PROJECT_ROOT, BootstrapSettings, Settings

__all__ = ['PROJECT_ROOT', 'BootstrapSettings', 'Settings']
