from dangjian.people.models import Person


def test_the_world_has_people_in_both_townships(world):
    assert Person.objects.filter(org_path__startswith=world.t1.path).count() == 3
    assert Person.objects.filter(org_path__startswith=world.t2.path).count() == 2


def test_a_township_organizer_sees_only_his_township_on_the_people_page(world):
    response = world.client("town_organizer").get("/people/")
    assert response.status_code == 200
    assert "张三丰".encode() in response.content
    assert "赵德成".encode() not in response.content
