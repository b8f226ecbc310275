from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.core.http.forms import BaseForm
from app.core.i18n import _l


class CodeForm(BaseForm):
    code = StringField(_l("防伪码"), validators=[DataRequired(), Length(max=40)])


class CheckFileForm(BaseForm):
    file = FileField(_l("待核验的 PDF 文件"), validators=[FileRequired()])
