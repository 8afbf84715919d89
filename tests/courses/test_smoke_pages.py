"""Every courses page renders for the roles that use it."""




def test_learner_pages(client, login, course_world):
    login("learner")
    course = course_world["course"]
    for url in ["/courses/", f"/courses/{course.id}", f"/courses/lessons/{course.lessons[0].id}",
                "/courses/mine", "/courses/cases"]:
        response = client.get(url)
        assert response.status_code == 200, url
    archive = client.get("/courses/mine/archive.pdf")
    assert archive.data.startswith(b"%PDF-")


def test_admin_pages(client, login, course_world):
    login("admin")
    ent, course, person = course_world["ent"], course_world["course"], course_world["person"]
    for url in ["/courses/admin/assign", f"/courses/admin/progress?org={ent.id}",
                f"/courses/admin/progress?org={ent.id}&course={course.id}",
                f"/courses/admin/people/{person.id}", "/courses/admin/induction"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(f"/courses/admin/ledger.xlsx?org={ent.id}").data.startswith(b"PK")
    assert client.get(f"/courses/admin/people/{person.id}/archive.pdf").data.startswith(b"%PDF-")


def test_trainer_pages(client, login, course_world):
    login("trainer")
    course = course_world["course"]
    for url in ["/courses/author", f"/courses/author/{course.id}",
                f"/courses/author/lessons/{course.lessons[0].id}",
                f"/courses/author/lessons/{course.lessons[0].id}/preview"]:
        response = client.get(url)
        assert response.status_code == 200, url
