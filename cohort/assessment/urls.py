"""The self-assessment's routes, in the `cohort` namespace: cohort/urls.py lists them among its own."""

from django.urls import path

from cohort.assessment import views as assessment_views

# Self-assessment, review, award, action plan (institution-private), progress, library, data register.
_inst = "institutions/<slug:institution>"
# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns = [
    path(f"{_inst}/self-assessment/", assessment_views.workspace, name="workspace"),
    path(f"{_inst}/self-assessment/criteria/<id:criterion_id>/", assessment_views.criterion, name="criterion"),
    path(
        f"{_inst}/self-assessment/criteria/<id:criterion_id>/narrative/",
        assessment_views.save_narrative,
        name="save_narrative",
    ),
    path(
        f"{_inst}/self-assessment/criteria/<id:criterion_id>/evidence/",
        assessment_views.add_evidence,
        name="add_evidence",
    ),
    path(
        f"{_inst}/self-assessment/criteria/<id:criterion_id>/comments/",
        assessment_views.add_comment,
        name="add_comment",
    ),
    path(
        f"{_inst}/self-assessment/criteria/<id:criterion_id>/review/",
        assessment_views.review_criterion,
        name="review_criterion",
    ),
    path(f"{_inst}/evidence/<id:evidence_id>/file/", assessment_views.evidence_file, name="evidence_file"),
    path(f"{_inst}/evidence/<id:evidence_id>/delete/", assessment_views.delete_evidence, name="delete_evidence"),
    path(f"{_inst}/self-assessment/submit/", assessment_views.submit, name="submit_self_assessment"),
    path(f"{_inst}/self-assessment/recommend/", assessment_views.recommend, name="recommend_award"),
    path(f"{_inst}/self-assessment/award/", assessment_views.award, name="record_award"),
    path(f"{_inst}/self-assessment/award/correct/", assessment_views.correct_award, name="correct_award"),
    path(f"{_inst}/self-assessment/new-cycle/", assessment_views.new_cycle, name="new_cycle"),
    path(f"{_inst}/self-assessment/export.pdf", assessment_views.export_pdf, name="export_pdf"),
    path(f"{_inst}/self-assessment/export.csv", assessment_views.export_csv, name="export_csv"),
    path(f"{_inst}/action-plan/", assessment_views.action_plan, name="action_plan"),
    path(f"{_inst}/action-plan/add/", assessment_views.add_action, name="add_action"),
    path(f"{_inst}/action-plan/<id:item_id>/", assessment_views.update_action, name="update_action"),
    path(f"{_inst}/action-plan/<id:item_id>/correct/", assessment_views.correct_action, name="correct_action"),
    path(f"{_inst}/data-register/", assessment_views.data_definition, name="data_definition"),
    path(f"{_inst}/data-register/targets/", assessment_views.add_target, name="add_target"),
    path(f"{_inst}/data-register/targets/<id:target_id>/delete/", assessment_views.delete_target, name="delete_target"),
    path("progress/", assessment_views.progress, name="progress"),
    path("practice/", assessment_views.practice_library, name="practice_library"),
    path("practice/add/", assessment_views.add_practice, name="add_practice"),
    path(
        "practice/<id:practice_id>/sharing/",
        assessment_views.practice_sharing,
        name="practice_sharing",
    ),
    path("data-register/", assessment_views.data_register, name="data_register"),
]
# Site-wide: the sector's shared practice.
urlpatterns = [
    path("practice/", assessment_views.sector_practice, name="sector_practice"),
]
