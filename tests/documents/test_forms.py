"""The appendix forms as PDFs (C7.1–C7.4): every label and every recorded value is in the text, long content flows onto
further pages with the channel header repeated, page 1 renders to an image; documents are cached per content version
and a later state issues a new version (S9)."""

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.modules.documents import operations as documents
from app.modules.documents.models import Document
from app.modules.documents.render import FontMissing, check_cjk_font
from app.modules.reviews.operations import decide_step, round_steps
from tests.conftest import file_application, stored_files
from tests.journeys import filed_production, reviewed_production, verified_production

FORM1_LABELS = [
    "附表1",
    "电子社会保障卡服务渠道测试入网申请表",
    "填表日期",
    "渠道所属单位名称",
    "统一社会信用代码",
    "联系人",
    "联系方式",
    "一级渠道名称",
    "一级渠道编号",
    "申请渠道信息",
    "序号",
    "渠道名称",
    "渠道形式",
    "渠道编号",
    "接入方式",
    "服务地域",
    "应用范围",
    "附加材料",
    "地市级人社部门信息化综合管理机构意见",
    "省级人社部门信息化综合管理机构意见",
    "防伪码",
]


def text_of(pdf: bytes) -> str:
    """The text of every page with all white space removed (cells wrap long values onto several lines)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_of(document) -> bytes:
    return documents.stored_pdf(document)


def municipal_decided(world):
    app = file_application(world.company_a)
    step = round_steps(app)[0]
    decide_step(world.jinan, step.id, True, "材料齐全，同意上报。", "李娜", "13953100000")
    return app


def test_c7_1_form1_holds_every_label_and_the_recorded_values(world):
    app = municipal_decided(world)
    document = documents.issue(app, "form1", world.company_a)
    text = text_of(pdf_of(document))
    missing = [label for label in FORM1_LABELS if label not in text]
    assert missing == []
    for value in (
        app.applicant.name,
        app.applicant.uscc,
        "张三",
        "13912345678",
        "惠民生活APP",
        "APP",
        "SDK",
        "济南市",
        "材料齐全，同意上报。",
        "李娜",
        "13953100000",
        world.jinan.display_name,
        document.code,
        f"{app.fill_date.year}年{app.fill_date.month}月{app.fill_date.day}日",
    ):
        assert value.replace(" ", "") in text, value


def test_c7_2_form2_holds_the_social_supplement(world):
    app = file_application(world.company_a)
    text = text_of(pdf_of(documents.issue(app, "form2")))
    for value in ("社会渠道入网补充说明材料清单", "注册时间", "渠道承诺业务量", "城市居民", "120000", "首页-民生服务"):
        assert value in text, value


def test_c7_3_form3_fills_the_four_opinion_boxes(world):
    app = verified_production(world, reviewed_production(world, filed_production(world)))
    text = text_of(pdf_of(documents.issue(app, "form3")))
    for label in (
        "附表3",
        "电子社会保障卡服务渠道正式入网申请表",
        "渠道安全检测报告",
        "测试结果录屏",
        "平台运营机构（公章）",
        "人力资源社会保障部信息中心（公章）",
        "录屏与报告核验通过",
        app.rows[0].channel.channel_number,
    ):
        assert label in text, label


def test_c7_4_many_rows_flow_onto_further_pages_with_the_header_repeated(world):
    rows = [
        {
            "name": f"惠民生活APP第{i}号分渠道，名称很长以检验单元格内的自动换行是否正常工作",
            "form": "app",
            "access_mode": "sdk",
            "regions": ["370100"],
            "services": ["standard", "qr_login"],
        }
        for i in range(1, 21)
    ]
    app = file_application(world.company_a, rows=rows)
    document = documents.issue(app, "form1")
    reader = PdfReader(io.BytesIO(pdf_of(document)))
    assert document.pages == len(reader.pages) >= 2
    second = reader.pages[1].extract_text().replace(" ", "")
    assert "序号" in second and "渠道名称" in second


def test_c7_4_page_one_renders_to_an_image_with_ink(world, tmp_path):
    import pypdfium2

    document = documents.issue(municipal_decided(world), "form1")
    page = pypdfium2.PdfDocument(pdf_of(document))[0]
    image = page.render(scale=1).to_pil().convert("L")
    image.save(tmp_path / "form1-page1.png")
    dark = image.histogram()[:128]
    dark = sum(dark)
    assert image.size[0] < image.size[1] and dark > 5000  # portrait A4, and text was drawn


def test_a_form_is_rendered_once_per_content_version(world):
    app = municipal_decided(world)
    first = documents.issue(app, "form1")
    again = documents.issue(app, "form1")
    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_s9_a_later_state_issues_a_new_version_and_the_old_is_superseded(world):
    app = municipal_decided(world)
    first = documents.issue(app, "form1")
    step = next(s for s in round_steps(app) if s.stage == "provincial")
    decide_step(world.shandong, step.id, True, "同意。", "王磊", "13953100001")
    second = documents.issue(app, "form1")
    db.session.refresh(first)
    assert second.version == 2 and second.code != first.code
    assert first.superseded_at is not None and second.current


def test_a_rendering_failure_leaves_no_file_and_no_row(world, monkeypatch):
    app = municipal_decided(world)
    before = stored_files()

    def broken(*_args, **_kwargs):
        raise ValueError("layout engine exploded")

    monkeypatch.setattr(documents, "render_pdf", broken)
    with pytest.raises(documents.RenderingFailed) as exc:
        documents.issue(app, "form1")
    assert exc.value.status == 503
    assert stored_files() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_c7_4_no_cjk_font_is_a_clear_start_up_error(monkeypatch):
    from app.modules.documents import render

    monkeypatch.setattr(render, "cjk_fonts", lambda: [])
    with pytest.raises(FontMissing, match="fonts-arphic-uming"):
        check_cjk_font()


def test_blank_forms_have_no_values_and_no_code(world):
    pdf = documents.blank_form("form3")
    text = text_of(pdf)
    assert "电子社会保障卡服务渠道正式入网申请表" in text and "防伪码" not in text
    assert documents.blank_form("form3") == pdf
