def test_it_serves_the_home_page_to_a_member(client, member):
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Ward 7" in response.content
