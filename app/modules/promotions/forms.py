from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l


class PromotionForm(BaseForm):
    channel_id = SelectField(_l("渠道"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("活动名称"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("活动形式和内容"), validators=[DataRequired(), Length(max=5000)])
    starts_on = DateField(_l("开始日期"), validators=[DataRequired()])
    ends_on = DateField(_l("结束日期"), validators=[DataRequired()])
    uses_hrss_wording = BooleanField(_l("使用人社宣传用语（须经人社部门审核）"))
    wording = TextAreaField(_l("所用人社宣传用语"), validators=[Optional(), Length(max=2000)])


class PromotionReviewForm(BaseForm):
    decision = RadioField(_l("审核结果"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _("同意")), ("reject", _("不同意"))])

    opinion = TextAreaField(_l("审核意见"), validators=[Optional(), Length(max=2000)])


class PromotionReportForm(BaseForm):
    result_form = TextAreaField(_l("实际开展形式"), validators=[DataRequired(), Length(max=5000)])
    result_summary = TextAreaField(_l("活动成效"), validators=[DataRequired(), Length(max=5000)])
    participants = IntegerField(_l("参与人数"), validators=[Optional(), NumberRange(min=0)])
