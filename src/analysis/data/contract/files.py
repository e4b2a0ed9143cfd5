"""The files the bureau exports, one contract each (docs/data-contract.md is generated from these)."""

from __future__ import annotations

from .base import Column as C
from .base import RawFile

CHANNELS = {
    "street": ("街头", "街面", "上街"),
    "enterprise": ("企业", "进企业"),
    "family": ("家庭", "入户", "进家庭"),
    "square_event": ("广场活动", "广场", "square", "亚细亚广场"),
}
AGE_BANDS_PUBLIC = {
    "18-29": ("18-29岁", "18～29"),
    "30-44": ("30-44岁", "30～44"),
    "45-59": ("45-59岁", "45～59"),
    "60+": ("60岁以上", "60及以上", "60岁及以上", "60 and over"),
}
AGE_BANDS_OFFICER = {
    "under 30": ("30岁以下", "<30"),
    "30-39": ("30-39岁",),
    "40-49": ("40-49岁",),
    "50+": ("50岁以上", "50岁及以上", "50 and over"),
}
SEX = {"M": ("男", "male", "m"), "F": ("女", "female", "f")}
OCCUPATIONS = {
    "farmer": ("农民",),
    "worker": ("工人", "企业职工"),
    "business": ("个体经营", "个体户", "经商"),
    "public_sector": ("机关事业单位", "干部", "公务员"),
    "student": ("学生",),
    "retired": ("离退休", "退休"),
    "other": ("其他",),
}
OPINION_CATEGORIES = {
    "law_enforcement": ("执法", "执法问题", "law enforcement"),
    "security_management": ("治安管理", "public security management"),
    "service_economy": ("服务经济", "服务经济发展", "service economy"),
    "team_building": ("队伍建设", "team building"),
}
OPINION_SOURCES = {
    "questionnaire": ("问卷", "问卷调查"),
    "square_event": ("广场活动", "广场"),
    "symposium": ("座谈会",),
    "visit": ("走访", "上门走访"),
    "letter": ("来信", "来信来访"),
}
RECTIFICATION_STATUS = {
    "rectified": ("已整改", "初步整改", "done"),
    "in_progress": ("整改中", "正在整改", "in progress"),
}
POLICE_TYPES = {
    "community": ("社区民警", "社区"),
    "criminal": ("刑侦", "刑警"),
    "traffic": ("交警", "交巡警"),
    "security": ("治安",),
    "administrative": ("内勤", "综合"),
    "leadership": ("领导", "局领导"),
}
FITNESS_STATUS = {"tested": ("参测", "参加"), "exempt": ("免测", "免考"), "absent": ("缺考", "缺测")}
FITNESS_ITEMS = {
    "run_1000m": ("1000米跑", "1000m"),
    "pushups": ("俯卧撑",),
    "situps": ("仰卧起坐",),
    "shuttle_4x10m": ("4×10米往返跑", "10米×4往返跑", "shuttle run"),
}
BETTER = {"higher": ("越高越好", "≥", ">="), "lower": ("越低越好", "≤", "<=")}
COURSE_TYPES = {"public": ("公共课", "必修"), "elective": ("自选课", "选修")}
FILE_RATINGS = {"best": ("最佳", "优秀案卷"), "worst": ("最差", "较差案卷")}
COMPETITION_LEVELS = {"middle": ("中层", "中层干部"), "section": ("科级", "副科级")}
COMPETITION_OUTCOMES = {
    "appointed": ("聘任", "任用", "当选"),
    "not_appointed": ("未聘", "落选"),
    "withdrawn": ("弃权", "退出"),
}
CAMPAIGNS = {
    "traffic": ("交通秩序", "交通"),
    "campus": ("校园安全", "校园"),
    "agency_service": ("便民代办", "代办"),
    "veterans": ("老干部关爱", "从优待警"),
}
ACTIVITIES = {
    "open_letters": ("公开信",),
    "cartoons": ("交通漫画",),
    "officer_times": ("出动警力",),
    "violations": ("查处违章",),
    "unstable_factors_resolved": ("化解不稳定因素",),
    "hazards_rectified": ("整改隐患",),
    "booths_banned": ("取缔摊点",),
    "campus_posts": ("校园警务室",),
    "alarm_points": ("报警点",),
    "infrared_systems": ("红外报警系统",),
    "legal_vice_principals": ("法制副校长",),
    "items_handled": ("代办事项",),
    "items_completed": ("办结事项",),
    "yuan_saved": ("节省费用",),
    "ranks_resolved": ("解决职级",),
    "trip_participants": ("参观人数",),
}

_district = C("district", "district", ("辖区", "乡镇", "区域"))
_date = C("date", "date", ("日期",))

SURVEY_BATCHES = RawFile(
    "survey_batches",
    "survey_distribution",
    "Questionnaire distribution log: one row per batch of forms handed out.",
    (
        C("batch_id", "id", ("批次", "批次号"), description="Distribution batch; the survey's cluster."),
        C("channel", "category", ("渠道", "发放渠道"), allowed=CHANNELS),
        _district,
        C("date", "date", ("发放日期", "日期")),
        C("forms_distributed", "int", ("发放份数", "发放数"), minimum=1, maximum=5000),
    ),
    key=("batch_id",),
    owner="Political Department (campaign office)",
)

LIKERT_ITEMS = {
    "q01_safety": "How safe do you feel in your area?",
    "q02_public_order": "Public order in your area",
    "q03_attitude": "Officers' attitude when dealing with the public",
    "q04_fairness": "Fairness of law enforcement",
    "q05_efficiency": "Speed of handling matters",
    "q06_integrity": "Integrity and discipline of officers",
    "q07_response": "Response to 110 calls",
    "q08_visibility": "Visibility of police patrols and community officers",
    "q09_traffic": "Traffic order management",
    "q10_overall": "Overall satisfaction with the police",
}
LIKERT_ZH = {
    "q01_safety": "安全感",
    "q02_public_order": "治安状况",
    "q03_attitude": "服务态度",
    "q04_fairness": "执法公正",
    "q05_efficiency": "办事效率",
    "q06_integrity": "廉洁自律",
    "q07_response": "110出警",
    "q08_visibility": "见警率",
    "q09_traffic": "交通管理",
    "q10_overall": "总体满意度",
}

SURVEY_RESPONSES = RawFile(
    "survey_responses",
    "survey_responses",
    "Questionnaire responses: one row per returned form, keyed in by hand.",
    (
        C("form_id", "id", ("问卷编号", "编号")),
        C("batch_id", "id", ("批次", "批次号"), description="The batch the form was handed out in: places the form."),
        # ASSUMPTION(return-date-optional): a form's return date is optional and a bad one is set missing: the form's batch (required, checked against the distribution log) places it in time and place, and no estimate uses the return date.
        C(
            "date",
            "date",
            ("回收日期", "日期"),
            nullable=True,
            cell_level=True,
            description="Day the form came back; the batch's distribution date is in the distribution log.",
        ),
        C("channel", "category", ("渠道", "发放渠道"), allowed=CHANNELS),
        _district,
        C("age_band", "category", ("年龄段", "年龄"), allowed=AGE_BANDS_PUBLIC, nullable=True, cell_level=True),
        C("sex", "category", ("性别",), allowed=SEX, nullable=True, cell_level=True),
        C("occupation", "category", ("职业",), allowed=OCCUPATIONS, nullable=True, cell_level=True),
        C(
            "police_contact",
            "bool",
            ("近一年与公安打过交道", "接触公安"),
            nullable=True,
            cell_level=True,
            description="Any contact with the police in the past year.",
        ),
        *(
            C(q, "likert", (LIKERT_ZH[q],), nullable=True, cell_level=True, description=text)
            for q, text in LIKERT_ITEMS.items()
        ),
        C("opinion", "text", ("意见建议",), nullable=True),
    ),
    key=("form_id",),
    owner="Political Department (campaign office)",
    references={"batch_id": ("survey_batches", "batch_id")},
)

POPULATION_MARGINS = RawFile(
    "population_margins",
    "population_margins",
    "County adult population by district, age band and sex (household register), for weighting.",
    (
        _district,
        C("age_band", "category", ("年龄段",), allowed=AGE_BANDS_PUBLIC),
        C("sex", "category", ("性别",), allowed=SEX),
        C("population", "int", ("人口数", "人数"), minimum=0),
    ),
    key=("district", "age_band", "sex"),
    owner="Household Registration Section",
)

HOUSEHOLDS = RawFile(
    "households",
    "households",
    "Registered households per district (denominator for letters per household).",
    (_district, C("households", "int", ("户数",), minimum=0)),
    key=("district",),
    owner="Household Registration Section",
)

OPINIONS_REGISTER = RawFile(
    "opinions_register",
    "opinions_register",
    "Raw suggestions as received, each linked to the merged opinion it was combined into.",
    (
        C("suggestion_id", "id", ("序号", "建议编号")),
        C("opinion_id", "id", ("归并意见编号", "意见编号")),
        C("received", "date", ("收集日期", "日期")),
        C("source", "category", ("来源",), allowed=OPINION_SOURCES),
        C("district", "district", ("辖区",), nullable=True),
        C("category", "category", ("类别",), allowed=OPINION_CATEGORIES),
        C("subcategory", "text", ("子类",)),
        C("text", "text", ("内容", "意见内容")),
        C(
            "second_coder_category",
            "category",
            ("复核类别", "第二编码员类别"),
            allowed=OPINION_CATEGORIES,
            nullable=True,
            description="Category given independently by a second coder (a subset only).",
        ),
    ),
    key=("suggestion_id",),
    owner="Political Department (campaign office)",
)

RECTIFICATION_LEDGER = RawFile(
    "rectification_ledger",
    "rectification_ledger",
    "Rectification ledger: one row per merged opinion, with its plan, owner and outcome.",
    (
        C("opinion_id", "id", ("意见编号",)),
        C("owner_unit", "unit", ("责任单位",)),
        C("plan_date", "date", ("方案日期",)),
        C("deadline", "date", ("整改时限", "期限")),
        C("status", "category", ("整改状态", "状态"), allowed=RECTIFICATION_STATUS),
        C("closed_date", "date", ("完成日期", "办结日期"), nullable=True),
    ),
    key=("opinion_id",),
    owner="Supervision Office",
    references={"opinion_id": ("opinions_register", "opinion_id")},
)

OFFICER_ROSTER = RawFile(
    "officer_roster",
    "officer_roster",
    "Officer roster for the year: one row per officer who served at any time in it.",
    (
        C("police_number", "officer", ("警号",)),
        C("name", "name", ("姓名",)),
        C("unit", "unit", ("单位", "所在单位")),
        C("police_type", "category", ("警种",), allowed=POLICE_TYPES),
        C("age_band", "category", ("年龄段",), allowed=AGE_BANDS_OFFICER),
        C("sex", "category", ("性别",), allowed=SEX),
        C(
            "cadre_candidate",
            "bool",
            ("中层干部人选", "后备干部"),
            description="Candidate in the middle-level cadre competition.",
        ),
        C("joined", "date", ("入职日期", "调入日期")),
        C("left", "date", ("离职日期", "调出日期"), nullable=True),
    ),
    key=("police_number",),
    owner="Political Department (personnel)",
)

_officer = (C("police_number", "officer", ("警号",)), C("name", "name", ("姓名",), nullable=True))
_on_roster = {"police_number": ("officer_roster", "police_number")}

FITNESS_TESTS = RawFile(
    "fitness_tests",
    "fitness_tests",
    "Basic physical-fitness tests: one row per officer, round and test item.",
    (
        *_officer,
        C("round", "int", ("轮次",), minimum=1, maximum=24),
        C("date", "date", ("测试日期", "日期")),
        C("status", "category", ("参测状态", "状态"), allowed=FITNESS_STATUS),
        C("item", "category", ("项目", "测试项目"), allowed=FITNESS_ITEMS),
        C(
            "result",
            "float",
            ("成绩",),
            nullable=True,
            minimum=0,
            description="Seconds for runs, repetitions otherwise; blank when exempt or absent.",
        ),
        C("standard", "id", ("标准", "达标标准"), description="Standard the result is judged by."),
        C("threshold", "float", ("达标线",), minimum=0),
        C("better", "category", ("方向",), allowed=BETTER),
    ),
    key=("police_number", "round", "item"),
    owner="Training Section",
    references=_on_roster,
)

TRAINING_CREDITS = RawFile(
    "training_credits",
    "training_credits",
    "Training credits: one row per officer, month and assessed course.",
    (
        *_officer,
        C("month", "month", ("月份",)),
        C("course", "text", ("课程",)),
        C("course_type", "category", ("课程类型",), allowed=COURSE_TYPES),
        C("score", "int", ("成绩", "得分"), minimum=0, maximum=100),
    ),
    key=("police_number", "month", "course"),
    owner="Training Section",
    references=_on_roster,
)

DEMOCRATIC_REVIEW = RawFile(
    "democratic_review",
    "democratic_review",
    "Democratic review of each unit in the July work-style rectification; below the mark, redo.",
    (
        C("unit", "unit", ("单位",)),
        C("round", "int", ("轮次",), minimum=1, maximum=3),
        C("score", "float", ("得分", "测评得分"), minimum=0, maximum=100),
        C("raters", "int", ("参评人数",), minimum=1),
    ),
    key=("unit", "round"),
    owner="Supervision Office",
)

CASE_FILES = RawFile(
    "case_files",
    "case_files",
    "Monthly case-file quality evaluation: one row per file reviewed.",
    (
        C("unit", "unit", ("单位", "办案单位")),
        C("month", "month", ("月份",)),
        C("file_id", "id", ("案卷编号",)),
        C("score", "float", ("得分",), minimum=0, maximum=100),
        C("rating", "category", ("评定",), allowed=FILE_RATINGS, nullable=True),
        C("collective_decision", "bool", ("集体研究",), description="A difficult case decided collectively."),
    ),
    key=("file_id",),
    owner="Legal Affairs Section",
)

CADRE_COMPETITION = RawFile(
    "cadre_competition",
    "cadre_competition",
    "Open competition for posts: one row per application.",
    (
        C("post_id", "id", ("岗位编号",)),
        C("post", "text", ("岗位名称", "岗位")),
        C("level", "category", ("层级",), allowed=COMPETITION_LEVELS),
        C("deputy_director", "bool", ("副局长岗位",)),
        C("police_number", "officer", ("警号",)),
        C("name", "name", ("姓名",), nullable=True),
        C("outcome", "category", ("结果",), allowed=COMPETITION_OUTCOMES),
    ),
    key=("post_id", "police_number"),
    owner="Political Department (personnel)",
    references=_on_roster,
)

CAMPAIGN_ACTIVITIES = RawFile(
    "campaign_activities",
    "campaign_activities",
    "Campaign activity ledger: one row per recorded activity.",
    (
        C("campaign", "category", ("专项活动", "活动"), allowed=CAMPAIGNS),
        C("date", "date", ("日期",)),
        C("unit", "unit", ("单位",)),
        C("site", "text", ("地点", "学校"), nullable=True),
        C("activity", "category", ("项目", "工作内容"), allowed=ACTIVITIES),
        C("quantity", "float", ("数量",), minimum=0),
        C("measure", "text", ("计量单位",)),
    ),
    key=("campaign", "date", "unit", "site", "activity"),
    owner="Command Centre",
)

# Cleaning order: a file comes after the files its rows refer to.
RAW_FILES: tuple[RawFile, ...] = (
    OFFICER_ROSTER,
    POPULATION_MARGINS,
    HOUSEHOLDS,
    SURVEY_BATCHES,
    SURVEY_RESPONSES,
    OPINIONS_REGISTER,
    RECTIFICATION_LEDGER,
    FITNESS_TESTS,
    TRAINING_CREDITS,
    DEMOCRATIC_REVIEW,
    CASE_FILES,
    CADRE_COMPETITION,
    CAMPAIGN_ACTIVITIES,
)
BY_DATASET = {f.dataset: f for f in RAW_FILES}
