"""Form downloads for everyone who may see the application, blank forms, and the public verification page (S9)."""

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import DomainError
from app.core.i18n import current_locale
from app.core.jurisdiction import get_application
from app.modules.applications.parts import register_page_part
from app.modules.documents import operations as ops
from app.modules.documents.content import FORM_KINDS, kinds_for
from app.modules.documents.forms import CheckFileForm, CodeForm
from app.modules.documents.signing import public_key_pem, signature_valid


def pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def download_form(app_id: int, kind: str):
    """The current version of a form; rendered now only if the application changed since the last one."""
    app = get_application(current_user, app_id)
    document = ops.issue(app, kind, current_user)
    return pdf_response(ops.stored_pdf(document), f"{app.number}-{kind}-v{document.version}.pdf")


def blank_form(kind: str):
    return pdf_response(ops.blank_form(kind), f"blank-{kind}.pdf")


def verify_lookup():
    form = CodeForm()
    if form.validate_on_submit():
        code = ops.normalise_code(form.code.data)
        if code:
            return redirect(url_for("documents.verify", code=code))
        form.code.errors = [_malformed()]
    return render_template("documents/lookup.html", form=form)


def _malformed() -> str:
    return "防伪码格式不正确" if current_locale() != "en" else "Malformed code"


def verify(code: str):
    """S9: what the platform issued under this code; an uploaded PDF is compared byte for byte with it."""
    error, result = None, None
    try:
        document = ops.find_by_code(code)
    except DomainError as exc:
        status = exc.status
        return render_template("documents/verify.html", document=None, error=exc.message(current_locale())), status
    form = CheckFileForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            result = ops.check_upload(document, form.file.data.stream)
        except DomainError as exc:
            error = exc.message(current_locale())
    return render_template(
        "documents/verify.html",
        document=document,
        form=form,
        result=result,
        error=error,
        kinds=FORM_KINDS,
        sealed=signature_valid(document.file_sha256, document.signature),
    )


def public_key():
    return Response(public_key_pem(), mimetype="application/x-pem-file")


def _forms_part(app, user) -> dict:
    """C7.4: the appendix forms of this application, offered for download on its page."""
    return {"form_kinds": kinds_for(app), "form_titles": FORM_KINDS}


register_page_part(_forms_part)
