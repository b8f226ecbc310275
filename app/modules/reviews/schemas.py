"""Review steps as the API shows them: the application's step fields with the unit that handles each."""

from marshmallow import fields

from app.modules.applications.schemas import StepSchema
from app.modules.reviews.operations import step_unit


class ReviewStepSchema(StepSchema):
    handler = fields.Function(step_unit, metadata={"description": "the unit that handles the step"})
