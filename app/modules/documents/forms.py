from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.core.http.forms import BaseForm


class CodeForm(BaseForm):
    code = StringField("防伪码", validators=[DataRequired(), Length(max=40)])


class CheckFileForm(BaseForm):
    file = FileField("待核验的 PDF 文件", validators=[FileRequired()])
