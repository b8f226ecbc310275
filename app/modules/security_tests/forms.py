from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, choices, text_choices
from app.core.i18n import current_locale
from app.modules.security_tests.models import QUALIFICATIONS


class InstitutionForm(BaseForm):
    name = StringField("名称", validators=[DataRequired(), Length(max=200)])


class QualificationForm(BaseForm):
    kind = SelectField("资质")
    certificate_number = StringField("证书编号", validators=[DataRequired(), Length(max=100)])
    valid_from = DateField("起始日期", validators=[DataRequired()])
    valid_until = DateField("截止日期", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        index = 1 if current_locale() == "en" else 0
        self.kind.choices = choices([(k, v[index]) for k, v in QUALIFICATIONS.items()])


class ReportForm(BaseForm):
    institution_id = SelectField("检测机构", coerce=int)
    test_date = DateField("检测日期", validators=[DataRequired()])
    version_tested = StringField("检测版本", validators=[DataRequired(), Length(max=64)])
    covers_spec = BooleanField("覆盖接入安全技术规范")
    result = SelectField("检测结论")
    findings = TextAreaField("主要问题", validators=[Optional(), Length(max=8000)])
    file = FileField("报告文件（PDF）", validators=[FileRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = text_choices([("pass", "通过"), ("fail", "不通过")])


class MajorChangeForm(BaseForm):
    kind = SelectField("变更类型")
    description = TextAreaField("变更内容", validators=[DataRequired(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = text_choices([("upgrade", "重大升级"), ("policy", "安全策略重大变更")])


class SpotCheckForm(BaseForm):
    reason = TextAreaField("抽查原因", validators=[DataRequired(), Length(max=4000)])
    is_retest = BooleanField("整改后复测")


class SpotCheckResultForm(BaseForm):
    result = SelectField("抽查结果")
    notes = TextAreaField("说明", validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = text_choices([("pass", "通过"), ("fail", "不通过")])
