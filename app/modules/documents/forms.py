from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField("防伪码", validators=[DataRequired(), Length(max=40)])


class CheckFileForm(FlaskForm):
    file = FileField("待核验的 PDF 文件", validators=[FileRequired()])
