from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l


class TemplateForm(BaseForm):
    code = StringField(_l("模板编码"), validators=[DataRequired(), Length(max=64)])
    category = SelectField(_l("消息类别"))
    sender_unit = StringField(_l("发送单位"), validators=[DataRequired(), Length(max=100)])
    subject = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("正文"), validators=[DataRequired(), Length(max=4000)])
    placeholders = StringField(_l("占位符（逗号分隔）"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices(
            [("business", _("业务触发类")), ("notice", _("定向告知类")), ("publicity", _("宣传公告类"))]
        )


class TemplateReviewForm(BaseForm):
    decision = SelectField(_l("审核结论"))
    note = TextAreaField(_l("审核意见"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _("同意")), ("reject", _("不同意"))])
