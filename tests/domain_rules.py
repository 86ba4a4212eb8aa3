"""Which tests assert which rule of DOMAIN.md (issue 16: "DOMAIN.md's rules each have a test").

One `Rule` per DOMAIN.md bullet, or per distinct rule inside a bullet (sections 4c, 5 and 6 are paragraphs: one
per rule in them). `quote` is copied verbatim from DOMAIN.md (whitespace aside): tests/test_domain_rules.py finds
each bullet's rules by it, so a new bullet without an entry here fails, and so does an entry whose words left
DOMAIN.md. `tests` are pytest node ids (file::function, or file::function[param]) that assert the rule.

Where a county may change the rule ("a configurable table"), `table` names the DMN file (workflows/…) or the
setting, and `table_tests` the tests that edit it and see the behaviour change. `missing` says why a rule has no
test yet (the product does not do it): the meta-test expects it to fail until a test is listed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    section: str
    quote: str
    rule: str
    tests: tuple[str, ...] = ()
    table: str = ""
    table_tests: tuple[str, ...] = ()
    missing: str = ""


EX_ANTE = "tests/flows_ex_ante/test_ex_ante_flow.py::"
GOALS = "tests/flows_goal_review/test_goal_review_flow.py::"
QUALITY = "tests/flows_goal_review/test_goal_quality.py::"
MONITORING = "tests/flows_monitoring/test_monitoring_year.py::"
COLOURS = "tests/flows_monitoring/test_monitoring_rule_edits.py::"
EVALUATION = "tests/flows_evaluation/test_evaluation_year.py::test_a_year_of_evaluation_feedback_and_application"
VARIANTS = "tests/flows_evaluation/test_evaluation_variants.py::"
BUDGET = "tests/flows_budget/test_budget_arrangement_years.py::test_next_years_budget_reads_last_years_results"
BUDGET_EDITS = "tests/flows_budget/test_budget_rule_edits.py::"
DEPT_EDITS = "tests/flows_dept/test_dept_rule_edits.py::"
DEPT = "tests/flows_dept/test_dept_performance.py::test_edu_bureau_walks_its_whole_year"
DASHBOARD = "tests/web/test_dashboard.py::"
PUBLIC = "tests/web/test_public_site.py::test_the_public_site_shows_what_the_office_released_and_nothing_else"
KEY_MONITORING = "tests/flows_key_monitoring/test_key_monitoring.py::"
DEPT_MONITORING = "tests/flows_dept/test_dept_monitoring.py::"
DEPT_EVALUATION = "tests/flows_evaluation/test_dept_evaluation.py::"
FIGURES = "tests/flows_evaluation/test_evaluation_year_figures.py::test_the_years_figures_and_report_count_what_the_flows_did"

RULES: tuple[Rule, ...] = (
    # 1. 事前绩效评估 · 先评估后入库
    Rule("1", "every **new** policy or project (新增), and expiring ones proposed to continue",
         "new projects and expired ones applying to continue are assessed; unexpired continuing ones under the "
         "threshold are exempt; 人员类/运转类 go straight to the library",
         (EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",
          EX_ANTE + "test_ordinary_project_office_sends_back_then_supports_in_full",
          EX_ANTE + "test_continuing_project_under_threshold_is_exempt_and_enters_the_library",
          "tests/flows_ex_ante/test_ex_ante_category.py::"
          "test_operating_project_skips_assessment_and_hostile_categories_are_refused"),
         "workflows/ex_ante/ex_ante_scope.dmn, workflows/ex_ante/ex_ante_category.dmn",
         ("tests/flows_ex_ante/test_ex_ante_rules.py::test_lowering_the_assessment_threshold_in_the_dmn",
          "tests/web/test_category_rule_table.py::test_the_admin_changes_which_categories_are_assessed_and_fill_goals")),
    Rule("1", "\"major\" ones get a finance assessment too",
         "a major project goes to the performance office with an expert panel (or the office when none is usable)",
         (EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",
          EX_ANTE + "test_major_project_with_no_usable_experts_goes_to_the_office"),
         "workflows/ex_ante/ex_ante_level.dmn",
         ("tests/flows_ex_ante/test_ex_ante_rules.py::test_lowering_the_major_project_threshold_calls_the_expert_panel",)),
    Rule("1", "No money threshold is published: make it a setting",
         "the assessment and major-project thresholds are rule-table rows",
         ("tests/flows_ex_ante/test_ex_ante_rules.py::test_lowering_the_assessment_threshold_in_the_dmn",),
         "workflows/ex_ante/ex_ante_scope.dmn, workflows/ex_ante/ex_ante_level.dmn",
         ("tests/flows_ex_ante/test_ex_ante_rules.py::test_lowering_the_assessment_threshold_in_the_dmn",
          "tests/flows_ex_ante/test_ex_ante_rules.py::test_lowering_the_major_project_threshold_calls_the_expert_panel")),
    Rule("1", "Unit applies (申报书, 实施方案, 预算测算, 可行性, materials list)",
         "the application carries its materials and budget calculation, refused field by field when incomplete",
         ("tests/flows_ex_ante/test_ex_ante_forms.py::test_application_form_rejects_bad_money_and_inconsistent_fields",
          EX_ANTE + "test_continuing_project_under_threshold_is_exempt_and_enters_the_library")),
    Rule("1", "self-assesses on five dimensions",
         "self-assessment and reviews score 立项必要性 … 筹资合规性, 20 points each",
         (EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",
          "tests/flows_ex_ante/test_ex_ante_forms.py::test_assessment_forms_require_scores_amounts_and_reasons",
          "tests/web/test_instance_page.py::test_instance_page_shows_done_and_current_steps_timeline_and_open_tasks")),
    Rule("1", "Supervising department reviews",
         "the department reviews (due in 5 days, urged, may send back) before finance assesses",
         (EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",)),
    Rule("1", "**予以支持 / 调整后支持 (部分支持, with a cut amount) / 不予支持**",
         "the three conclusions, the partial one with its cut",
         (EX_ANTE + "test_ordinary_project_office_sends_back_then_supports_in_full",
          EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",
          EX_ANTE + "test_unsupported_project_never_enters_the_library")),
    Rule("1", "Only supported projects enter the library (项目库), at the approved amount",
         "rejected projects never enter the library; supported ones enter at the approved amount",
         (EX_ANTE + "test_unsupported_project_never_enters_the_library",
          EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support")),
    Rule("1", "Track 审减率 = cut ÷ requested",
         "each assessment records its cut and 审减率; the dashboard and annual report total them",
         (EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",
          EX_ANTE + "test_unsupported_project_never_enters_the_library",
          DASHBOARD + "test_every_figure_is_what_the_year_played",
          DASHBOARD + "test_the_office_walks_from_each_number_to_its_list_and_takes_the_files_home",
          "tests/web/test_project_page.py::test_the_page_tells_the_whole_story")),

    # 2. 绩效目标编审
    Rule("2", "谁申请资金，谁编制绩效目标; 谁安排资金，谁审核绩效目标",
         "the unit owning the project fills its goals; its department and the sector's finance section review",
         (GOALS + "test_starting_is_refused_unless_the_unit_owns_a_project_awaiting_goals",
          "tests/flows_goal_review/test_handoff.py::test_each_review_step_says_who_has_the_goal_table_now")),
    Rule("2", "未设置绩效目标，一律不得安排资金",
         "no approved goals, no library entry, budget line, evaluation or adjustment",
         ("tests/flows_ex_ante/test_goals_before_admission.py::"
          "test_draft_goals_are_checked_scored_carried_into_goal_review_and_gate_the_budget",
          GOALS + "test_poor_is_refused_and_no_budget_follows",
          "tests/flows_evaluation/test_evaluation_forms.py::test_starting_needs_the_units_own_project_with_approved_goals",
          "tests/flows_goal_review/test_goal_adjust.py::test_adjustment_needs_approved_goals"),
         "workflows/ex_ante/ex_ante_category.dmn (须编报绩效目标)",
         ("tests/web/test_category_rule_table.py::test_the_admin_changes_which_categories_are_assessed_and_fill_goals",)),
    Rule("2", "Goal table (绩效目标申报表)",
         "the goal table's header fields, money sum and indicator levels, as the county files it",
         ("tests/flows_goal_review/test_goal_forms.py::test_goal_table_rejects_bad_indicators_field_by_field",
          QUALITY + "test_both_flows_share_one_indicator_schema",
          QUALITY + "test_sum_equals_and_number_rules",
          "tests/flows_ex_ante/test_goals_before_admission.py::test_the_application_asks_for_goals_in_the_goal_tables_own_fields",
          "tests/web/test_exports.py::test_the_goal_table_as_the_county_files_it")),
    Rule("2", "三级指标 name (≤100 chars), 计算符号 (≥ > = < ≤ 定性), 指标值, 计量单位 (required unless 定性)",
         "indicator rows refused field by field: long names, missing units on quantitative rows, weights",
         ("tests/flows_goal_review/test_goal_forms.py::test_goal_table_rejects_bad_indicators_field_by_field",
          "tests/flows_goal_review/test_goal_forms.py::test_nothing_is_written_while_the_form_is_refused")),
    Rule("2", "Quality checks that catch the defects seed 004 lists",
         "vague goals, no quantified output, no satisfaction, values without units, no benefit: named on their "
         "field, shown to the unit before submitting and to the reviewer",
         (QUALITY + "test_each_seed_004_defect_is_named_on_its_field",
          QUALITY + "test_short_goals_and_values_without_units",
          QUALITY + "test_outputs_missing_quality_timeliness_or_cost_are_named",
          "tests/web/test_task_page_quality.py::test_unit_sees_each_warning_next_to_its_field_then_confirms",
          GOALS + "test_quality_warnings_send_backs_grade_fair_then_good_and_approval")),
    Rule("2", "Review order: supervising department, then the finance section of the project's sector",
         "department first, then the finance section covering the project's sector",
         (GOALS + "test_quality_warnings_send_backs_grade_fair_then_good_and_approval",
          "tests/flows_goal_review/test_handoff.py::test_each_review_step_says_who_has_the_goal_table_now")),
    Rule("2", "**优** → approved; **良** → approved after fixes agreed with the unit; **中** → back to",
         "优 approved, 良 approved after fixes, 中 back to the unit (limited rounds), 差 no budget",
         (GOALS + "test_excellent_is_approved_at_once",
          GOALS + "test_quality_warnings_send_backs_grade_fair_then_good_and_approval",
          GOALS + "test_poor_is_refused_and_no_budget_follows",
          GOALS + "test_fair_three_times_exhausts_the_rounds"),
         "workflows/goal_review/goal_review_outcome.dmn",
         ("tests/flows_goal_review/test_goal_rules.py::test_lowering_the_round_limit_in_the_dmn",)),
    Rule("2", "Approved goals are 批复 together with the budget (同步批复, 004) and published with it",
         "approved goals are released on the public site with the year's budget",
         (GOALS + "test_excellent_is_approved_at_once", PUBLIC)),
    Rule("2", "afterwards they change only through an adjustment request",
         "an approved table changes only through 绩效目标调整; the replaced version stays readable",
         ("tests/flows_goal_review/test_goal_adjust.py::test_adjustment_needs_approved_goals",
          "tests/flows_goal_review/test_goal_adjust.py::test_adjusted_version_replaces_the_approved_one_which_stays_readable",
          "tests/flows_goal_review/test_goal_adjust_review_page.py::"
          "test_the_adjustment_review_shows_the_changes_against_the_approved_table",
          "tests/flows_monitoring/test_monitoring_actions.py::test_adjust_goals_opens_the_units_adjustment_request")),

    # 3. 绩效运行监控 · 纠偏
    Rule("3", "Monitor both **budget execution** (spent ÷ budget) and **goal achievement** for every project",
         "each report has an execution colour and a goal colour; the office starts every approved project at once",
         (MONITORING + "test_a_year_of_monitoring",
          "tests/flows_monitoring/test_monitoring_actions.py::"
          "test_the_office_starts_the_years_monitoring_for_every_approved_project",
          "tests/cli/test_demo_year.py::test_monitoring_has_run_month_by_month_to_now")),
    Rule("3", "Units file monitoring reports on a schedule (monthly tracking in 002; a setting)",
         "monthly by default; the interval is a rule-table column",
         (MONITORING + "test_a_year_of_monitoring",
          "tests/flows_monitoring/test_monitoring_period.py::test_monitoring_tasks_name_their_month_and_amount"),
         "workflows/monitoring/monitoring_rules.dmn (interval_months)",
         ("tests/flows_monitoring/test_monitoring_rules.py::test_thresholds_and_schedule_follow_the_dmn",)),
    Rule("3", "Per indicator: target, current value, likelihood of completion, cause of deviation, measures",
         "each indicator row carries target, value, likelihood and, when off track, the cause",
         (MONITORING + "test_a_year_of_monitoring",
          "tests/flows_monitoring/test_monitoring_report_errors.py::"
          "test_a_report_the_flow_refuses_comes_back_on_the_form_with_its_errors",
          "tests/flows_monitoring/test_monitoring_period.py::test_the_report_form_hides_internal_indicator_ids")),
    Rule("3", "execution ratio = (spent ÷ budget) ÷ (month ÷ 12): < 60% red",
         "execution ratio against the pace: red below 60%, yellow 60–80%, green from 80%",
         (MONITORING + "test_a_year_of_monitoring",
          "tests/web/test_warnings.py::test_each_finance_section_sees_its_sectors_newest_and_worst_first"),
         "workflows/monitoring/monitoring_rules.dmn (red_below, yellow_below)",
         ("tests/flows_monitoring/test_monitoring_rules.py::test_thresholds_and_schedule_follow_the_dmn",)),
    Rule("3", "positive indicators likewise, ≥ 120% blue",
         "indicator progress coloured the same way, blue from 120% of the pace",
         (COLOURS + "test_over_target_is_blue_partial_is_yellow_and_the_goal_takes_the_worst",),
         "workflows/monitoring/monitoring_rules.dmn (blue_from)",
         (COLOURS + "test_deadlines_calendar_months_and_blue_follow_the_dmn",)),
    Rule("3", "qualitative 达成/部分达成/未达成 → green/yellow/red",
         "qualitative indicators: 达成 green, 部分达成 yellow, 未达成 red",
         (COLOURS + "test_over_target_is_blue_partial_is_yellow_and_the_goal_takes_the_worst",
          MONITORING + "test_a_year_of_monitoring")),
    Rule("3", "the project's goal colour is its worst indicator",
         "one red indicator makes the goal red; blue is not worse than green",
         (MONITORING + "test_a_year_of_monitoring",
          COLOURS + "test_over_target_is_blue_partial_is_yellow_and_the_goal_takes_the_worst")),
    Rule("3", "end of **June** — slow spending → remind the unit to speed up",
         "June's slow spending sends the unit a calendar reminder",
         (MONITORING + "test_a_year_of_monitoring",),
         "workflows/monitoring/monitoring_rules.dmn (slow_month)",
         (COLOURS + "test_deadlines_calendar_months_and_blue_follow_the_dmn",)),
    Rule("3", "end of **October** still zero spent (未破零) → **重点关注台账**",
         "nothing spent by the end of October (June for 直达资金) enters the key-attention ledger",
         (MONITORING + "test_a_project_still_at_zero_in_october_enters_the_ledger",
          "tests/flows_monitoring/test_monitoring_direct_funds.py::"
          "test_direct_funds_at_zero_in_june_enter_the_ledger_others_do_not",
          DASHBOARD + "test_every_figure_is_what_the_year_played"),
         "workflows/monitoring/monitoring_rules.dmn (ledger_month, per fund source)",
         (COLOURS + "test_deadlines_calendar_months_and_blue_follow_the_dmn",
          "tests/flows_monitoring/test_monitoring_direct_funds.py::"
          "test_direct_funds_at_zero_in_june_enter_the_ledger_others_do_not")),
    Rule("3", "by year end money that certainly cannot be paid → **finance recovers it** (收回统筹)",
         "December's unpayable amount is recovered and the budget in force falls",
         (MONITORING + "test_a_year_of_monitoring",
          MONITORING + "test_a_project_still_at_zero_in_october_enters_the_ledger")),
    Rule("3", "the unit explains cause and measures; the finance section decides",
         "a yellow/red month asks the unit's cause and measures; finance accepts, adjusts goals or budget, "
         "suspends payment or recovers the balance",
         (MONITORING + "test_a_year_of_monitoring",
          "tests/flows_monitoring/test_monitoring_actions.py::test_adjust_goals_opens_the_units_adjustment_request",
          "tests/flows_monitoring/test_monitoring_amounts.py::test_amount_decisions_keep_their_bounds",
          "tests/flows_monitoring/test_monitoring_page.py::test_each_decision_says_which_month_it_answered_when_and_by_whom"),
         "workflows/monitoring/monitoring_rules.dmn (budget_increase_limit)",
         ("tests/flows_monitoring/test_monitoring_amounts.py::test_a_county_may_allow_an_increase_in_its_rule_table",)),
    Rule("3", "A missed filing deadline reminds, then escalates",
         "an overdue report reminds the unit after 10 days and escalates to the office after 20 (also "
         "rectification reports and department reviews)",
         (MONITORING + "test_a_year_of_monitoring",
          EVALUATION,
          KEY_MONITORING + "test_overdue_rectification_escalates_and_bad_input_is_refused_by_field",
          EX_ANTE + "test_major_project_escalation_send_back_expert_panel_and_adjusted_support",
          "tests/cli/test_demo_year.py::test_the_office_sees_the_escalation_in_its_notices"),
         "workflows/monitoring/monitoring_rules.dmn (remind_after, escalate_after)",
         (COLOURS + "test_deadlines_calendar_months_and_blue_follow_the_dmn",)),

    # 4. 绩效评价 and 4b. 结果反馈整改
    Rule("4", "**self-evaluation of every project** by its unit",
         "after the year the office opens every project's self-evaluation; the unit fills it",
         ("tests/flows_evaluation/test_evaluation_batch.py::test_the_office_opens_every_evaluation_of_the_year",
          EVALUATION)),
    Rule("4", "department evaluation of chosen projects",
         "a department evaluates projects it chooses (部门评价)",
         (DEPT_EVALUATION + "test_department_evaluates_its_chosen_project_and_its_grade_is_the_result",
          DEPT_EVALUATION + "test_sent_back_self_evaluation_comes_back_to_the_department",
          DEPT_EVALUATION + "test_hostile_input_on_the_page_and_the_task"),
         "workflows/evaluation/evaluation_dept_scope.dmn",
         (DEPT_EVALUATION + "test_the_rule_table_decides_an_amount_row_brings_an_unselected_project_in",)),
    Rule("4", "**finance key evaluation** of selected ones with a third party (third party drawn by lot, 003)",
         "the office selects a key evaluation; the firm is drawn by a recomputable lot; its experts score blind",
         (EVALUATION,
          "tests/flows_evaluation/test_key_panel_sealed.py::test_key_evaluation_experts_score_blind",
          "tests/flows_evaluation/test_evaluation_cancel.py::test_the_unit_cannot_cancel_once_the_key_evaluation_has_begun")),
    Rule("4", "budget execution 10 points (10 × rate, capped), 产出 50, 效益 30",
         "score = 10 × execution rate + 50/30/10 points of indicators (a missing level's points shared out)",
         (EVALUATION,
          "tests/flows_evaluation/test_evaluation_scoring.py::test_a_missing_level_hands_its_points_to_the_others")),
    Rule("4", "Auto-score per indicator: positive — actual ≥ target full weight",
         "positive, reverse (linear to 0 at 2 × target) and qualitative (达成/部分达成/未达成) scoring",
         ("tests/flows_evaluation/test_evaluation_scoring.py::test_achievement",
          "tests/flows_evaluation/test_evaluation_scoring.py::test_a_quantitative_value_must_be_a_number",
          EVALUATION)),
    Rule("4", "Grades: **优 ≥ 90, 良 80–89, 中 60–79, 差 < 60**",
         "grade bands 90/80/60 by default",
         (EVALUATION, "tests/flows_evaluation/test_evaluation_rules.py::test_grade_threshold_and_percentage_follow_the_dmn"),
         "workflows/evaluation/evaluation_grade.dmn",
         ("tests/flows_evaluation/test_evaluation_rules.py::test_grade_threshold_and_percentage_follow_the_dmn",
          "tests/flows_evaluation/test_rule_table_page.py::test_grade_band_edited_on_the_page_grades_new_evaluations",
          "tests/web/test_admin_rule_tables.py::test_grade_bands_shown_edited_test_run_and_deployed")),
    Rule("4", "one province uses 80/70/60",
         "a county edits the grade table to 80/70/60 and new evaluations follow it",
         (VARIANTS + "test_a_province_grades_80_70_60_by_editing_the_table",),
         "workflows/evaluation/evaluation_grade.dmn",
         (VARIANTS + "test_a_province_grades_80_70_60_by_editing_the_table",)),
    Rule("4", "results go to the unit **by formal notice** with rectification requirements and a **deadline**",
         "the result notice names score, grade, problems and (for 中/差, compulsorily) requirements and a deadline",
         (EVALUATION,)),
    Rule("4", "public rule: notice within 20 days, measures within 30 days",
         "the notice is due 20 days after grading; the rectification report 30 days after the notice",
         (EVALUATION, VARIANTS + "test_a_province_grades_80_70_60_by_editing_the_table"),
         "workflows/evaluation/evaluation_rules.dmn (rectify_within, escalate_after, resubmit_within)",
         (VARIANTS + "test_a_shorter_rectification_deadline_in_the_rules_table",)),
    Rule("4", "the unit reports its rectification; finance checks it and sends it back if insufficient",
         "rectification reports are verified, sent back, and after the last round marked not rectified",
         (EVALUATION,
          KEY_MONITORING + "test_office_entrusts_a_firm_expert_finds_two_issues_unit_rectifies_after_one_send_back")),
    Rule("4", "results also go to the budget sections, the county government, 人大",
         "the finance section is told each result and reads it in the budget arrangement; the government and "
         "人大 get the annual work report (page and .docx) with the grade mix",
         (EVALUATION, BUDGET, FIGURES,
          DASHBOARD + "test_the_office_walks_from_each_number_to_its_list_and_takes_the_files_home")),
    Rule("4", "the percentage is of the unit's previous-year **年初预算项目经费**",
         "the adjustment base is the unit's previous-year project budget (or the project, by the table)",
         (BUDGET,),
         "workflows/budget_arrangement/budget_arrangement_rules.dmn (base)",
         (BUDGET_EDITS + "test_a_county_may_apply_the_percentage_to_the_project_instead_of_the_unit",)),
    Rule("4", "for in-process evaluations 合格 suspends payments, for completed-year ones it removes priority",
         "中 suspends payments while rectifying and loses priority; verification lifts the suspension",
         (EVALUATION, BUDGET)),
    Rule("4", "优 → next year's project budget +10%; 良 → +5%",
         "优 +10%, 良 +5%, 中 suspended with rectification, 差 −10%",
         (EVALUATION, BUDGET, "tests/flows_evaluation/test_budget_operators.py::test_adjust_by_percentage_or_signed_amount"),
         "workflows/evaluation/evaluation_application.dmn",
         ("tests/flows_evaluation/test_evaluation_rules.py::test_grade_threshold_and_percentage_follow_the_dmn",)),
    Rule("4", "Seed 001 (临朐) variant: below 良 → cut ≥ 10%",
         "a county edits the application table so 中 also cuts 10%",
         (VARIANTS + "test_linqu_cuts_below_good_by_ten_percent_by_editing_the_table",),
         "workflows/evaluation/evaluation_application.dmn",
         (VARIANTS + "test_linqu_cuts_below_good_by_ten_percent_by_editing_the_table",)),
    Rule("4", "Seed 002 (同心): failed or poorly rectified → stop or adjust payments, no new budget for that unit",
         "差 and not rectified stops execution; the unit's new demands are not considered",
         (BUDGET,),
         "workflows/budget_arrangement/budget_new_demands.dmn",
         (BUDGET_EDITS + "test_a_county_may_consider_new_demands_of_a_unit_that_skipped_its_self_evaluation",)),
    Rule("4", "Keep this a rule table",
         "result application is the evaluation_application table, edited and deployed by the admin",
         ("tests/flows_evaluation/test_evaluation_rules.py::test_grade_threshold_and_percentage_follow_the_dmn",),
         "workflows/evaluation/evaluation_application.dmn",
         ("tests/flows_evaluation/test_evaluation_rules.py::test_grade_threshold_and_percentage_follow_the_dmn",
          VARIANTS + "test_linqu_cuts_below_good_by_ten_percent_by_editing_the_table")),
    Rule("4", "The consequences are read where next year's budget is arranged (预算安排)",
         "the arrangement shows each adjustment with its reason and source, priority for good results, and "
         "refuses new demands from units that skipped self-evaluation or left a rectification undone",
         (BUDGET,
          "tests/flows_budget/test_budget_arrangement_input.py::"
          "test_the_page_lists_exports_prints_and_refuses_a_bad_start_by_field"),
         "workflows/budget_arrangement/budget_new_demands.dmn",
         (BUDGET_EDITS + "test_a_county_may_consider_new_demands_of_a_unit_that_skipped_its_self_evaluation",)),

    # 4c. 部门整体绩效
    Rule("4c", "Departments also set department-wide goals from their functions and plans",
         "a department fills its year goals, reviewed like project goals",
         (DEPT, "tests/flows_dept/test_dept_demo.py::test_the_demo_year_shows_the_education_bureaus_goals",
          "tests/flows_dept/test_dept_performance_input.py::test_the_department_starts_its_goals_from_its_page"),
         "workflows/dept_performance/dept_performance_goal_outcome.dmn",
         (DEPT_EDITS + "test_a_county_that_wants_good_goals_fixed_first_edits_the_goal_outcome_table",)),
    Rule("4c", "are monitored, self-evaluate, and are evaluated by finance",
         "mid-year monitoring, self-evaluation scored like a project, the office's evaluation",
         (DEPT,
          "tests/flows_dept/test_dept_performance_input.py::test_forms_refuse_field_by_field_and_other_departments_cannot_reach",
          DEPT_MONITORING + "test_colour_arithmetic_is_project_monitorings",
          DEPT_MONITORING + "test_green_goes_on_and_red_is_corrected_with_the_finance_section",
          DEPT_MONITORING + "test_the_finance_section_may_have_the_targets_adjusted"),
         "workflows/dept_performance/dept_performance_monitoring.dmn, "
         "workflows/dept_performance/dept_performance_follow_up.dmn",
         (DEPT_MONITORING + "test_an_edited_threshold_table_colours_the_same_report_otherwise",
          DEPT_MONITORING + "test_a_green_report_goes_on_and_the_rule_table_decides_what_is_followed_up")),
    Rule("4c", "with the same grades and result application to the department's budget",
         "grades and a 公用经费 adjustment from the department's own tables",
         (DEPT,),
         "workflows/dept_performance/dept_performance_grade.dmn, workflows/dept_performance/dept_performance_application.dmn",
         (DEPT_EDITS + "test_a_county_edits_the_department_grade_and_application_tables",)),
    Rule("4c", "Departments evaluate their own key projects too (部门评价",
         "a department evaluates its own key projects",
         (DEPT_EVALUATION + "test_department_evaluates_its_chosen_project_and_its_grade_is_the_result",)),
    Rule("4c", "Indicators come from a common library (共性指标, three levels) plus",
         "the office keeps the indicator library everyone reads; goal tables offer it and warn outside its range",
         ("tests/web/test_indicator_library.py::test_the_office_adds_an_indicator_everyone_reads_and_exports_it",
          "tests/web/test_indicator_library.py::test_the_goal_table_offers_the_library_and_warns_outside_its_range",
          QUALITY + "test_a_value_outside_the_librarys_typical_range_is_flagged_on_its_row")),

    # 5. 信息公开
    Rule("5", "Approved goals with the budget, evaluation results with the final accounts, on a public page",
         "the office releases goals and results; the public site shows exactly those and nothing private",
         (PUBLIC, EVALUATION)),

    # 6. What every county reports each year
    Rule("6", "Projects with goals and their money", "count and money of projects with approved goals",
         (DASHBOARD + "test_every_figure_is_what_the_year_played",)),
    Rule("6", "assessments and 审减率", "assessment conclusions and 审减率",
         (DASHBOARD + "test_every_figure_is_what_the_year_played",
          DASHBOARD + "test_the_office_walks_from_each_number_to_its_list_and_takes_the_files_home")),
    Rule("6", "projects monitored and key-monitored",
         "monitored projects, colours by month, the key-attention ledger, key performance monitoring",
         (DASHBOARD + "test_every_figure_is_what_the_year_played",
          KEY_MONITORING + "test_the_demo_year_has_a_key_monitoring_waiting_for_the_units_rectification"),
         "workflows/key_monitoring/key_monitoring_rules.dmn",
         ("tests/flows_key_monitoring/test_key_monitoring_rules.py::"
          "test_an_edited_rule_table_changes_the_proposed_longest_and_resubmit_deadlines",)),
    Rule("6", "self-evaluations (000: 1,037)", "self-evaluations by grade",
         (FIGURES, DASHBOARD + "test_every_figure_is_what_the_year_played",)),
    Rule("6", "key evaluations and the grade mix", "key evaluations and their grade mix",
         (FIGURES, DASHBOARD + "test_every_figure_is_what_the_year_played",
          DASHBOARD + "test_the_office_walks_from_each_number_to_its_list_and_takes_the_files_home")),
    Rule("6", "money adjusted by result application", "increases, decreases and suspensions with their money",
         (FIGURES, DASHBOARD + "test_every_figure_is_what_the_year_played",
          DASHBOARD + "test_the_office_walks_from_each_number_to_its_list_and_takes_the_files_home")),
    Rule("6", "rectifications closed", "rectifying, rectified and not rectified counts",
         (FIGURES, DASHBOARD + "test_every_figure_is_what_the_year_played",
          DASHBOARD + "test_the_summaries_kept_step_by_step_equal_a_recount")),
)
