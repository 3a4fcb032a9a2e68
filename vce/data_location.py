"""One line saying where this process keeps its data, printed by ``vce demo``, ``vce serve`` and ``vce agents``: the
data folder's default no longer depends on the current folder, and a user should never wonder which database a
command opened (``backend/settings/data_folder.py``)."""

from __future__ import annotations

from backend.settings import Settings


def data_location(settings: Settings) -> str:
    if settings.mode == 'aws':
        return f'DynamoDB table {settings.dynamodb_table} in {settings.aws_region}'
    chosen = 'VCE_DATA_DIR' if settings.data_dir_from_setting else 'the default; set VCE_DATA_DIR to use another'
    return f'{settings.data_dir} ({chosen})'
