from tests.stage_fixtures import organiser, schedule, stage_server, test_video  # noqa: F401
