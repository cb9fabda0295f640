-- wrk script: every request is a Dynamic Client Registration POST with the
-- same JSON client metadata. Both servers mint a new client_id for each one,
-- so every request creates (and, for mockbank, persists) a new client.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"redirect_uris":["https://tpp.example/cb"],"client_name":"bench","grant_types":["authorization_code"],"response_types":["code"]}'
