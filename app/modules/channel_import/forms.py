from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from app.core.http.forms import BaseForm
from app.core.i18n import _l


class ChannelImportForm(BaseForm):
    file = FileField(_l("导入文件（ZIP）"), validators=[FileRequired()])
    dry_run = BooleanField(_l("仅检查，不写入（预演）"), default=True)
