from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, text_choices


class TemplateForm(BaseForm):
    code = StringField("模板编码", validators=[DataRequired(), Length(max=64)])
    category = SelectField("消息类别")
    sender_unit = StringField("发送单位", validators=[DataRequired(), Length(max=100)])
    subject = StringField("标题", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("正文", validators=[DataRequired(), Length(max=4000)])
    placeholders = StringField("占位符（逗号分隔）", validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = text_choices(
            [("business", "业务触发类"), ("notice", "定向告知类"), ("publicity", "宣传公告类")]
        )


class TemplateReviewForm(BaseForm):
    decision = SelectField("审核结论")
    note = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = text_choices([("approve", "同意"), ("reject", "不同意")])
