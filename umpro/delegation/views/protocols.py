"""The protocol catalogue (everyone reads it, admins edit it) and the memberships."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from umpro.auth.permissions import can, require
from umpro.db import utcnow
from umpro.delegation.forms import EndMembershipForm, MembershipForm, ProtocolForm
from umpro.delegation.protocols import definition
from umpro.delegation.services import memberships, protocols
from umpro.delegation.services._common import today
from umpro.delegation.views import bp
from umpro.extensions import db
from umpro.forms import attempt, flash_form_errors, form_page
from umpro.team.models import Staff
from umpro.team.services import list_staff
from umpro.web import acting


@bp.get("/protocoles")
@require("protocol.view")
def protocol_list():
    items = protocols.list_protocols(db.session, practice_id=current_user.practice_id)
    return render_template("delegation/protocols.html", protocols=items)


@bp.post("/protocoles/installer")
@require("protocol.manage")
def protocol_install():
    created = protocols.install_reference_protocols(
        db.session, acting=acting(), practice_id=current_user.practice_id
    )
    if created:
        flash(f"{len(created)} protocole(s) de référence installé(s).", "success")
    else:
        flash("Les protocoles de référence sont déjà installés.", "success")
    return redirect(url_for("delegation.protocol_list"))


def _protocol(protocol_id: int):
    """A protocol of the signed-in member's practice (NotFound otherwise)."""
    return protocols.get_protocol(
        db.session, practice_id=current_user.practice_id, protocol_id=protocol_id
    )


def _input(form: ProtocolForm) -> protocols.ProtocolInput:
    return protocols.ProtocolInput(
        code=form.code.data or "",
        title=form.title.data or "",
        kind=form.kind.data,
        summary=form.summary.data or "",
        delegating_professions=form.delegating_professions.data or [],
        delegate_professions=form.delegate_professions.data or [],
        acts=form.acts.data or "",
        min_age=form.min_age.data,
        max_age=form.max_age.data,
        sexes=form.sexes.data or [],
        inclusion=form.inclusion.data or "",
        exclusion=form.exclusion.data or "",
        consent_required=form.consent_required.data,
        fields=form.fields.data or "",
        red_flags=form.red_flags.data or "",
        default_due_days=form.default_due_days.data,
        is_active=form.is_active.data,
    )


@bp.route("/protocoles/nouveau", methods=["GET", "POST"])
@bp.route("/protocoles/<int:protocol_id>/modifier", methods=["GET", "POST"])
@require("protocol.manage")
def protocol_edit(protocol_id: int | None = None):
    protocol = _protocol(protocol_id) if protocol_id else None
    form = ProtocolForm(obj=protocols.input_of(protocol) if protocol else None)
    return form_page(
        form,
        lambda: protocols.save_protocol(
            db.session,
            acting=acting(),
            practice_id=current_user.practice_id,
            data=_input(form),
            protocol=protocol,
        ),
        done=lambda saved: f"Protocole « {saved.title} » enregistré.",
        next_url=lambda saved: url_for("delegation.protocol_show", protocol_id=saved.id),
        template="delegation/protocol_form.html",
        protocol=protocol,
    )


def _delegate_choices(protocol) -> list:
    return [
        (s.id, f"{s.display_name} ({s.profession_label})")
        for s in list_staff(db.session, practice_id=current_user.practice_id, active_only=True)
        if s.profession in protocol.delegate_professions
    ]


def _show(protocol, *, form=None, status: int = 200):
    form = form or MembershipForm()
    form.staff_id.choices = _delegate_choices(protocol)
    day = today(current_user.practice, utcnow())
    return render_template(
        "delegation/protocol.html",
        protocol=protocol,
        rules=definition.of(protocol),
        members=memberships.list_memberships(db.session, protocol=protocol),
        form=form,
        end_form=EndMembershipForm(),
        today=day,
        may_manage=can(current_user, "membership.manage", protocol),
    ), status


@bp.get("/protocoles/<int:protocol_id>")
@require("protocol.view")
def protocol_show(protocol_id: int):
    protocol = _protocol(protocol_id)
    return _show(protocol)


@bp.post("/protocoles/<int:protocol_id>/adhesions")
@require("membership.manage")
def membership_add(protocol_id: int):
    protocol = _protocol(protocol_id)
    form = MembershipForm()
    form.staff_id.choices = _delegate_choices(protocol)
    if not form.validate_on_submit():
        return _show(protocol, form=form, status=422)
    c = acting()
    _, error = attempt(
        lambda: memberships.add_membership(
            db.session,
            acting=c,
            protocol=protocol,
            staff=db.session.get(Staff, form.staff_id.data) if form.staff_id.data else None,
            trained_on=form.trained_on.data,
            valid_until=form.valid_until.data,
            today=today(current_user.practice, c.now),
        ),
        form=form,
    )
    if error is not None:
        return _show(protocol, form=form, status=error.status)
    flash("Adhésion enregistrée.", "success")
    return redirect(url_for("delegation.protocol_show", protocol_id=protocol.id))


@bp.post("/adhesions/<int:membership_id>/fin")
@require("membership.manage")
def membership_end(membership_id: int):
    membership = memberships.get_membership(
        db.session, practice_id=current_user.practice_id, membership_id=membership_id
    )
    form = EndMembershipForm()
    if form.validate_on_submit():
        _, error = attempt(
            lambda: memberships.end_membership(
                db.session, acting=acting(), membership=membership, on=form.on.data
            )
        )
        if error is None:
            flash("Fin d'adhésion enregistrée.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("delegation.protocol_show", protocol_id=membership.protocol_id))
