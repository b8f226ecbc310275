from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.http.forms import BaseForm, text_choices


class PromotionForm(BaseForm):
    channel_id = SelectField("渠道", coerce=int, validators=[DataRequired()])
    title = StringField("活动名称", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("活动形式和内容", validators=[DataRequired(), Length(max=5000)])
    starts_on = DateField("开始日期", validators=[DataRequired()])
    ends_on = DateField("结束日期", validators=[DataRequired()])
    uses_hrss_wording = BooleanField("使用人社宣传用语（须经人社部门审核）")
    wording = TextAreaField("所用人社宣传用语", validators=[Optional(), Length(max=2000)])


class PromotionReviewForm(BaseForm):
    decision = RadioField("审核结果", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = text_choices([("approve", "同意"), ("reject", "不同意")])

    opinion = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])


class PromotionReportForm(BaseForm):
    result_form = TextAreaField("实际开展形式", validators=[DataRequired(), Length(max=5000)])
    result_summary = TextAreaField("活动成效", validators=[DataRequired(), Length(max=5000)])
    participants = IntegerField("参与人数", validators=[Optional(), NumberRange(min=0)])
