"""Banks and questions: list, search, create, edit (versioned), change status, images."""

from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from exams import access
from exams.formats.common import ImportContext, ItemError, build_item, key_from_letters, key_true_false
from exams.forms import BankForm, KnowledgePointForm, QuestionForm
from exams.models import (
    BankPurpose,
    BankTier,
    KnowledgePoint,
    Question,
    QuestionBank,
    QuestionStatus,
    QuestionType,
    QuestionVersion,
)
from exams.permissions import BANK_EDIT, EXAM_BANK
from exams.routes import bp
from exams.routes.common import kp_by_code, kp_choices
from exams.services.questions import (
    add_knowledge_point,
    create_question,
    duplicate_in_bank,
    edit_question,
    item_of,
    knowledge_tree,
    set_status,
)
from lms.audit import record_event
from lms.auth.forms import EmptyForm
from lms.authz import ensure_org, org_scope_clause, requires, signed_in
from lms.clock import now
from lms.extensions import db
from lms.i18n import _
from lms.models import Organization
from lms.storage import HEAD_BYTES, IMAGE_TYPES, FileRefused, current_store, is_digest, sniff

#: Images saved before the file store, as ``<32 hex>.<ext>`` in this folder of the instance folder.
LEGACY_IMAGE_DIR = "question-images"


@bp.get("/")
@requires(BANK_EDIT)
def banks():
    rows = db.session.execute(
        select(QuestionBank, func.count(Question.id)).outerjoin(Question, Question.bank_id == QuestionBank.id)
        .where(access.readable_banks_clause(current_user)).group_by(QuestionBank.id)
        .order_by(QuestionBank.purpose, QuestionBank.name)
        .options(joinedload(QuestionBank.organization))).all()
    return render_template("exams/banks.html", rows=rows)


def _owner_choices(purpose_exam: bool):
    perm = EXAM_BANK if purpose_exam else BANK_EDIT
    return db.session.scalars(select(Organization).where(org_scope_clause(current_user, perm))
                              .order_by(Organization.name)).all()


@bp.route("/banks/new", methods=["GET", "POST"])
@requires(BANK_EDIT)
def new_bank():
    form = BankForm()
    may_exam = access.has_permission(current_user, EXAM_BANK)
    if not may_exam:
        form.purpose.choices = [c for c in form.purpose.choices if c.value == BankPurpose.PRACTICE]
    form.organization.choices = [(o.id, o.name) for o in _owner_choices(False)]
    if form.validate_on_submit():
        perm = EXAM_BANK if form.purpose.data == BankPurpose.EXAM else BANK_EDIT
        org = ensure_org(perm, db.session.get(Organization, form.organization.data))
        if db.session.scalar(select(QuestionBank.id).where(QuestionBank.code == form.code.data)):
            form.code.errors.append(_("This code is taken."))
        else:
            bank = QuestionBank(code=form.code.data, name=form.name.data, organization=org,
                                purpose=BankPurpose(form.purpose.data), tier=BankTier(form.tier.data))
            db.session.add(bank)
            db.session.flush()
            record_event("exams.bank.created", actor=current_user, target=bank, organization_id=org.id,
                         code=bank.code)
            db.session.commit()
            return redirect(url_for("exams.bank", bank_id=bank.id))
    return render_template("exams/bank_form.html", form=form)


@bp.get("/banks/<int:bank_id>")
@signed_in
def bank(bank_id: int):
    bank = access.bank_or_404(current_user, bank_id)
    query = select(Question).where(Question.bank_id == bank.id)
    if text := request.args.get("q", "").strip():
        versions = select(QuestionVersion.question_id).where(QuestionVersion.stem.contains(text))
        number = int(text) if text.isdigit() else -1
        query = query.where(or_(Question.id.in_(versions), Question.id == number))
    if status := request.args.get("status"):
        query = query.where(Question.status == status)
    if qtype := request.args.get("qtype"):
        query = query.where(Question.qtype == qtype)
    if kp := kp_by_code(request.args.get("kp")):
        query = query.join(KnowledgePoint).where(KnowledgePoint.path.startswith(kp.path))
    page = db.paginate(query.order_by(Question.id).options(selectinload(Question.versions),
                                                           selectinload(Question.knowledge_point)),
                       per_page=current_app.config["PAGE_SIZE"])
    return render_template("exams/bank.html", bank=bank, page=page, form=EmptyForm(),
                           editable=access.can_edit(current_user, bank), kps=kp_choices(_("Any")),
                           statuses=list(QuestionStatus), qtypes=list(QuestionType))


@bp.post("/banks/<int:bank_id>/status")
@signed_in
def bank_status(bank_id: int):
    bank = access.bank_or_404(current_user, bank_id, edit=True)
    try:
        status = QuestionStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if EmptyForm().validate_on_submit():
        moved = set_status(bank, ids, status, current_user)
        db.session.commit()
        flash(_("%(n)d questions changed.", n=moved), "success")
    return redirect(url_for("exams.bank", bank_id=bank.id))


def _item_from_form(form: QuestionForm) -> dict:
    qtype = QuestionType(form.qtype.data)
    options = [line.strip() for line in (form.options.data or "").splitlines() if line.strip()]
    key = (key_true_false(form.key.data) if qtype is QuestionType.TRUE_FALSE
           else key_from_letters(form.key.data, len(options)))
    ctx = ImportContext(knowledge_points={kp.code.lower(): kp.code for kp in knowledge_tree()})
    return build_item(ctx, qtype=qtype, stem=form.stem.data, options=options, key=key,
                      explanation=form.explanation.data, knowledge_point=form.knowledge_point.data,
                      difficulty=form.difficulty.data, posts=form.posts.data,
                      operation_codes=form.operation_codes.data, status="draft")


def _save_image(upload) -> str | None:
    """Keep an uploaded image in the file store; return its digest, or None when no file was sent.

    :raises FileRefused: empty, too large, or not a PNG, JPEG, GIF or WebP image by its content.
    """
    if not upload or not getattr(upload, "filename", ""):
        return None
    limit = current_app.config["IMAGE_UPLOAD_MAX_BYTES"]
    return current_store().put(upload.stream, limit=limit, accept=IMAGE_TYPES).digest


def _image_refused(form: QuestionForm, reason: str) -> None:
    """Put the reason an image was refused under the form's image field."""
    if reason == "too_large":
        limit_mb = current_app.config["IMAGE_UPLOAD_MAX_BYTES"] // (1024 * 1024)
        message = _("The image is larger than %(mb)d MB. Nothing was saved.", mb=limit_mb)
    elif reason == "empty":
        message = _("The image file is empty. Nothing was saved.")
    else:
        message = _("This file is not a PNG, JPEG, GIF or WebP image (judged by its content, not its "
                    "name). Nothing was saved.")
    form.image.errors.append(message)


def _question_form_page(form, bank, question=None):
    return render_template("exams/question_form.html", form=form, bank=bank, question=question)


@bp.route("/banks/<int:bank_id>/questions/new", methods=["GET", "POST"])
@signed_in
def new_question(bank_id: int):
    bank = access.bank_or_404(current_user, bank_id, edit=True)
    form = QuestionForm()
    form.knowledge_point.choices = kp_choices()
    if form.validate_on_submit():
        try:
            item = _item_from_form(form)
        except ItemError as exc:
            form.key.errors.append(str(exc.args[0]))
            return _question_form_page(form, bank)
        if (dup := duplicate_in_bank(bank, item["stem"])) is not None:
            form.stem.errors.append(_("Already in the bank as question %(id)d.", id=dup))
            return _question_form_page(form, bank)
        try:
            item["image"] = _save_image(form.image.data)
        except FileRefused as exc:
            _image_refused(form, exc.args[0])
            return _question_form_page(form, bank)
        question = create_question(bank, item, current_user, now())
        db.session.commit()
        flash(_("Question saved as a draft."), "success")
        return redirect(url_for("exams.question", question_id=question.id))
    return _question_form_page(form, bank)


def _question_or_404(question_id: int, edit: bool = False) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404)
    access.bank_or_404(current_user, question.bank_id, edit=edit)
    return question


@bp.get("/questions/<int:question_id>")
@signed_in
def question(question_id: int):
    question = _question_or_404(question_id)
    return render_template("exams/question.html", question=question, bank=question.bank,
                           editable=access.can_edit(current_user, question.bank), form=EmptyForm())


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(question_id: int):
    question = _question_or_404(question_id, edit=True)
    form = QuestionForm()
    form.knowledge_point.choices = kp_choices()
    if request.method == "GET":
        _fill(form, item_of(question))
    elif form.validate_on_submit():
        try:
            item = _item_from_form(form)
        except ItemError as exc:
            form.key.errors.append(str(exc.args[0]))
            return _question_form_page(form, question.bank, question)
        if (dup := duplicate_in_bank(question.bank, item["stem"], question.id)) is not None:
            form.stem.errors.append(_("Already in the bank as question %(id)d.", id=dup))
            return _question_form_page(form, question.bank, question)
        try:
            image = _save_image(form.image.data)
        except FileRefused as exc:
            _image_refused(form, exc.args[0])
            return _question_form_page(form, question.bank, question)
        if image:
            item["image"] = image
        version = edit_question(question, item, current_user, now())
        db.session.commit()
        flash(_("Saved as version %(n)d.", n=version.number), "success")
        return redirect(url_for("exams.question", question_id=question.id))
    return _question_form_page(form, question.bank, question)


def _fill(form: QuestionForm, item: dict) -> None:
    form.qtype.data, form.stem.data = item["qtype"], item["stem"]
    form.options.data = "\n".join(item["options"])
    form.key.data = ("对" if item["key"] == [0] else "错") if item["qtype"] == "true_false" else "".join(
        "ABCDEFGH"[i] for i in item["key"])
    form.explanation.data, form.knowledge_point.data = item["explanation"], item["knowledge_point"]
    form.difficulty.data, form.posts.data = str(item["difficulty"]), item["posts"]
    form.operation_codes.data = ",".join(item["operation_codes"])


@bp.get("/versions/<int:version_id>/image")
@signed_in
def image(version_id: int):
    version = db.session.get(QuestionVersion, version_id)
    if version is None or not version.image:
        abort(404)
    bank = version.question.bank
    if not (access.can_read(current_user, bank) or access.can_read(current_user, bank, access.PRACTICE)):
        abort(404)
    if is_digest(version.image):
        store = current_store()
        mime = store.mime(version.image)
        if mime not in IMAGE_TYPES:
            abort(404)
        return store.send(version.image, mime, max_age=600)
    return _legacy_image(version.image)


def _legacy_image(name: str) -> Response:
    """An image saved under its old name; served only if its content is an image, as that type."""
    path = Path(current_app.instance_path) / LEGACY_IMAGE_DIR / Path(name).name
    if not path.is_file():
        abort(404)
    data = path.read_bytes()
    mime = sniff(data[:HEAD_BYTES])
    if mime not in IMAGE_TYPES:
        # Before content checks, any bytes named .png were kept (HTML among them): never serve those.
        abort(404)
    return Response(data, mimetype=mime, headers={"Cache-Control": "private, max-age=600",
                                                  "X-Content-Type-Options": "nosniff"})


@bp.route("/knowledge-points", methods=["GET", "POST"])
@requires(EXAM_BANK, hide=True)
def knowledge_points():
    form = KnowledgePointForm()
    form.parent.choices = kp_choices(_("(top level)"))
    if form.validate_on_submit():
        if kp_by_code(form.code.data):
            form.code.errors.append(_("This code is taken."))
        else:
            kp = add_knowledge_point(form.code.data, form.name.data, kp_by_code(form.parent.data))
            record_event("exams.knowledge_point.created", actor=current_user, target=kp, code=kp.code)
            db.session.commit()
            flash(_("Knowledge point added."), "success")
            return redirect(url_for("exams.knowledge_points"))
    return render_template("exams/knowledge_points.html", form=form, tree=knowledge_tree())
