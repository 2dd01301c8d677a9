"""The authorization matrix: who may call each route and websocket of the app.

One row per route and method (`WS` for a websocket), one column per persona; the cells
are defined in tests/forum/authz_outcomes.py (`ok`, `401`, `403`, `404`, `409`,
`login`). Path parameters name objects in a PRIVATE circle (tests/forum/authz_world.py),
so `404` is the circle hiding itself and `ok` is a door that opens. The personas:

- anonymous: not signed in;
- member: accepted the circle's rules;
- non_member: signed in, not in the circle;
- invited: added by an owner, has not accepted any rules yet (`accepted_rules_version` 0);
- muted: a member a moderator has paused (`users.muted_until` a day ahead);
- banned: a former member the circle's moderators banned (a `circle_bans` row, no
  membership): to a private circle, an outsider like non_member;
- circle_mod / owner: that circle's moderator / owner;
- site_mod / admin: site staff (`Role.MODERATOR` / `Role.ADMIN`), not in the circle.

A new persona is one more column here plus its set-up function in
`authz_world.PERSONAS` (same name, same position). A new route fails
tests/forum/test_authorization_matrix.py until it has a row. `AUTHZ_PRINT=1` makes that
test print the table as the server answered it.
"""

TABLE = """
method path                                                         anonymous member non_member invited muted banned circle_mod site_mod owner admin
GET    /                                                            ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /account                                                     login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/availability                                        login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/blocks                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/blocks/{user_id:id}/unblock                         login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/check-ins                                           login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/content-warnings                                    login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /account/delete                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/delete                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/email                                               login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/email/digest                                        login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/email/remove                                        login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /account/email/verify                                        ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/email/verify                                        ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/language                                            login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/messages                                            login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /account/moderation                                          login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/muted-words                                         login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/password                                            login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/presence                                            login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/profile                                             login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/region                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/sessions/{session_id:id}/revoke                     login     404    404        404     404   404    404        404      404   404
POST   /account/tokens                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /account/tokens/{token_id:id}/revoke                         login     404    404        404     404   404    404        404      404   404
GET    /admin                                                       login     403    403        403     403   403    403        403      403   ok
POST   /admin/escalation                                            login     403    403        403     403   403    403        403      403   ok
POST   /admin/resources                                             login     403    403        403     403   403    403        403      403   ok
POST   /admin/resources/{resource_id:id}/delete                     login     403    403        403     403   403    403        403      403   ok
POST   /admin/roles                                                 login     403    403        403     403   403    403        403      403   ok
GET    /api/v1/admin/escalation                                     401       403    403        403     403   403    403        403      403   ok
PUT    /api/v1/admin/escalation                                     401       403    403        403     403   403    403        403      403   ok
PUT    /api/v1/admin/users/{username}/role                          401       403    403        403     403   403    403        403      403   ok
POST   /api/v1/auth/register                                        ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/auth/token                                           ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/check-ins/{room_id:id}                               401       404    404        404     404   404    ok         ok       ok    ok
POST   /api/v1/check-ins/{room_id:id}/close                         401       404    404        404     404   404    403        403      403   403
GET    /api/v1/circles                                              ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/circles                                              401       ok     ok         ok      403   ok     ok         ok       ok    ok
GET    /api/v1/circles/{slug}                                       404       ok     404        ok      ok    404    ok         404      ok    404
GET    /api/v1/circles/{slug}/bans                                  401       403    404        403     403   404    ok         ok       ok    ok
POST   /api/v1/circles/{slug}/bans                                  401       403    404        403     403   404    ok         ok       ok    ok
DELETE /api/v1/circles/{slug}/bans/{username}                       401       403    404        403     403   404    ok         ok       ok    ok
POST   /api/v1/circles/{slug}/join                                  401       ok     404        ok      ok    404    ok         404      ok    404
POST   /api/v1/circles/{slug}/leave                                 401       ok     404        ok      ok    404    ok         404      409   404
GET    /api/v1/circles/{slug}/members                               401       ok     404        ok      ok    404    ok         ok       ok    ok
POST   /api/v1/circles/{slug}/members                               401       403    404        403     403   404    ok         404      ok    404
DELETE /api/v1/circles/{slug}/members/{username}                    401       403    404        403     403   404    ok         ok       ok    ok
GET    /api/v1/circles/{slug}/moderation                            401       403    404        403     403   404    ok         404      ok    404
PATCH  /api/v1/circles/{slug}/moderation                            401       403    404        403     403   404    403        404      ok    404
GET    /api/v1/circles/{slug}/moderation/log                        401       403    404        403     403   404    ok         404      ok    404
POST   /api/v1/circles/{slug}/moderation/watched-words              401       403    404        403     403   404    403        404      ok    404
DELETE /api/v1/circles/{slug}/moderation/watched-words/{word_id:id} 401       403    404        403     403   404    403        404      ok    404
PATCH  /api/v1/circles/{slug}/moderation/watched-words/{word_id:id} 401       403    404        403     403   404    403        404      ok    404
GET    /api/v1/circles/{slug}/rooms                                 404       ok     404        ok      ok    404    ok         404      ok    404
POST   /api/v1/circles/{slug}/rooms                                 401       403    404        403     403   404    403        404      ok    404
GET    /api/v1/circles/{slug}/rules                                 404       ok     404        ok      ok    404    ok         404      ok    404
PUT    /api/v1/circles/{slug}/rules                                 401       403    404        403     403   404    403        404      ok    404
GET    /api/v1/circles/{slug}/rules/proposals                       401       ok     404        ok      ok    404    ok         404      ok    404
POST   /api/v1/circles/{slug}/rules/proposals                       401       ok     404        409     403   404    ok         404      ok    404
GET    /api/v1/circles/{slug}/threads                               404       ok     404        ok      ok    404    ok         404      ok    404
POST   /api/v1/circles/{slug}/threads                               401       ok     404        409     403   404    ok         404      ok    404
GET    /api/v1/crisis-resources                                     ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me                                                   401       ok     ok         ok      ok    ok     ok         ok       ok    ok
PATCH  /api/v1/me                                                   401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/blocks                                            401       ok     ok         ok      ok    ok     ok         ok       ok    ok
DELETE /api/v1/me/blocks/{username}                                 401       ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/me/blocks/{username}                                 401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/conversations                                     401       ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/me/conversations                                     401       ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/me/delete                                            401       ok     ok         ok      ok    ok     ok         ok       ok    ok
DELETE /api/v1/me/email                                             401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/email                                             401       ok     ok         ok      ok    ok     ok         ok       ok    ok
PATCH  /api/v1/me/email                                             401       ok     ok         ok      ok    ok     ok         ok       ok    ok
PUT    /api/v1/me/email                                             401       ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/me/email/verify                                      401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/export                                            401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/moderation                                        401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/notification-settings                             401       ok     ok         ok      ok    ok     ok         ok       ok    ok
PATCH  /api/v1/me/notification-settings                             401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/notifications                                     401       ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/me/notifications/read                                401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/people                                            401       ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/me/password                                          401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/me/safety-plan                                       401       ok     ok         ok      ok    ok     ok         ok       ok    ok
PUT    /api/v1/me/safety-plan                                       401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/moderation/health                                    401       403    403        403     403   403    ok         ok       ok    ok
GET    /api/v1/moderation/items/{item_id:id}                        401       403    403        403     403   403    ok         ok       ok    ok
POST   /api/v1/moderation/items/{item_id:id}/check-in               401       403    403        403     403   403    ok         ok       ok    ok
POST   /api/v1/moderation/items/{item_id:id}/claim                  401       403    403        403     403   403    ok         ok       ok    ok
POST   /api/v1/moderation/items/{item_id:id}/decision               401       403    403        403     403   403    ok         ok       ok    ok
GET    /api/v1/moderation/log                                       401       403    403        403     403   403    ok         ok       ok    ok
GET    /api/v1/moderation/queue                                     401       403    403        403     403   403    ok         ok       ok    ok
GET    /api/v1/moderation/queue/counts                              401       403    403        403     403   403    ok         ok       ok    ok
GET    /api/v1/openapi.json                                         ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/password-reset                                       ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /api/v1/password-reset/confirm                               ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
DELETE /api/v1/posts/{post_id:id}                                   401       403    404        403     403   404    403        404      403   404
PATCH  /api/v1/posts/{post_id:id}                                   401       403    404        403     403   404    403        404      403   404
GET    /api/v1/posts/{post_id:id}/revisions                         401       403    404        403     403   404    403        404      403   404
GET    /api/v1/messages/{message_id:id}/reactions                   401       ok     404        ok      ok    404    ok         404      ok    404
PUT    /api/v1/messages/{message_id:id}/reactions/{kind}            401       ok     404        403     403   404    ok         404      ok    404
DELETE /api/v1/messages/{message_id:id}/reactions/{kind}            401       ok     404        ok      ok    404    ok         404      ok    404
GET    /api/v1/posts/{post_id:id}/reactions                         401       ok     404        ok      ok    404    ok         404      ok    404
PATCH  /api/v1/posts/{post_id:id}/reactions                         401       403    404        403     403   404    403        404      403   404
PUT    /api/v1/posts/{post_id:id}/reactions/{kind}                  401       ok     404        409     403   404    ok         404      ok    404
DELETE /api/v1/posts/{post_id:id}/reactions/{kind}                  401       ok     404        ok      ok    404    ok         404      ok    404
POST   /posts/{post_id:id}/react                                    login     ok     404        409     403   404    ok         404      ok    404
GET    /posts/{post_id:id}/reactions                                login     403    404        403     403   404    403        404      403   404
POST   /posts/{post_id:id}/reactions                                login     403    404        403     403   404    403        404      403   404
POST   /api/v1/reports                                              401       ok     404        ok      ok    404    ok         404      ok    404
PATCH  /api/v1/rooms/{room_id:id}                                   401       403    404        403     403   404    ok         404      ok    404
GET    /api/v1/rooms/{room_id:id}/messages                          404       ok     404        ok      ok    404    ok         404      ok    404
GET    /api/v1/rules/proposals/{proposal_id:id}                     401       ok     404        ok      ok    404    ok         404      ok    404
POST   /api/v1/rules/proposals/{proposal_id:id}/decline             401       403    404        403     403   404    403        404      ok    404
POST   /api/v1/rules/proposals/{proposal_id:id}/endorse             401       ok     404        409     403   404    ok         404      ok    404
POST   /api/v1/rules/proposals/{proposal_id:id}/ratify              401       403    404        403     403   404    403        404      ok    404
POST   /api/v1/rules/proposals/{proposal_id:id}/withdraw            401       403    404        403     403   404    403        404      403   404
GET    /api/v1/search                                               ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /api/v1/threads/{thread_id:id}                               404       ok     404        ok      ok    404    ok         404      ok    404
POST   /api/v1/threads/{thread_id:id}/posts                         401       ok     404        409     403   404    ok         404      ok    404
GET    /api/v1/users/{username}                                     401       ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /c/{slug}                                                    404       ok     404        ok      ok    404    ok         404      ok    404
POST   /c/{slug}/bans                                               login     403    404        403     403   404    ok         ok       ok    ok
POST   /c/{slug}/bans/{username}/lift                               login     403    404        403     403   404    ok         ok       ok    ok
POST   /c/{slug}/invite                                             login     403    404        403     403   404    ok         404      ok    404
POST   /c/{slug}/join                                               login     ok     404        ok      ok    404    ok         404      ok    404
POST   /c/{slug}/leave                                              login     ok     404        ok      ok    404    ok         404      409   404
GET    /c/{slug}/members                                            login     ok     404        ok      ok    404    ok         ok       ok    ok
POST   /c/{slug}/members/{username}/ban                             login     403    404        403     403   404    ok         ok       ok    ok
POST   /c/{slug}/members/{username}/remove                          login     403    404        403     403   404    ok         ok       ok    ok
GET    /c/{slug}/moderation-settings                                login     403    404        403     403   404    ok         404      ok    404
POST   /c/{slug}/moderation-settings                                login     403    404        403     403   404    403        404      ok    404
POST   /c/{slug}/moderation-settings/words                          login     403    404        403     403   404    403        404      ok    404
POST   /c/{slug}/moderation-settings/words/{word_id:id}/delete      login     403    404        403     403   404    403        404      ok    404
GET    /c/{slug}/new                                                login     ok     404        ok      ok    404    ok         404      ok    404
POST   /c/{slug}/new                                                login     ok     404        409     403   404    ok         404      ok    404
GET    /c/{slug}/rooms                                              login     403    404        403     403   404    ok         404      ok    404
POST   /c/{slug}/rooms                                              login     403    404        403     403   404    403        404      ok    404
GET    /c/{slug}/rules                                              404       ok     404        ok      ok    404    ok         404      ok    404
GET    /c/{slug}/rules/edit                                         login     403    404        403     403   404    403        404      ok    404
POST   /c/{slug}/rules/edit                                         login     403    404        403     403   404    403        404      ok    404
POST   /c/{slug}/rules/proposals                                    login     ok     404        409     403   404    ok         404      ok    404
GET    /check-ins/{room_id:id}                                      login     404    404        404     404   404    ok         ok       ok    ok
POST   /check-ins/{room_id:id}/close                                login     404    404        404     404   404    403        403      403   403
GET    /circles/new                                                 login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /circles/new                                                 login     ok     ok         ok      403   ok     ok         ok       ok    ok
GET    /forgot-password                                             ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /forgot-password                                             ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /healthz                                                     ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /static/words/{locale}.js                                    ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /login                                                       ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /login                                                       ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /logout                                                      ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /me/safety-plan                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /me/safety-plan                                              login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /me/safety-plan.txt                                          login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /messages                                                    login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /messages                                                    login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /moderation                                                  login     403    403        403     403   403    ok         ok       ok    ok
GET    /moderation/health                                           login     403    403        403     403   403    ok         ok       ok    ok
GET    /moderation/items/{item_id:id}                               login     403    403        403     403   403    ok         ok       ok    ok
POST   /moderation/items/{item_id:id}/check-in                      login     403    403        403     403   403    ok         ok       ok    ok
POST   /moderation/items/{item_id:id}/claim                         login     403    403        403     403   403    ok         ok       ok    ok
POST   /moderation/items/{item_id:id}/decision                      login     403    403        403     403   403    ok         ok       ok    ok
GET    /moderation/log                                              login     403    403        403     403   403    ok         ok       ok    ok
GET    /notifications                                               login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /notifications/read                                          login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /notifications/settings                                      login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /posts/{post_id:id}/block-author                             login     ok     404        ok      ok    404    ok         404      ok    404
POST   /posts/{post_id:id}/delete                                   login     403    404        403     403   404    403        404      403   404
GET    /posts/{post_id:id}/edit                                     login     403    404        403     403   404    403        404      403   404
POST   /posts/{post_id:id}/edit                                     login     403    404        403     403   404    403        404      403   404
GET    /posts/{post_id:id}/report                                   login     ok     404        ok      ok    404    ok         404      ok    404
POST   /posts/{post_id:id}/report                                   login     ok     404        ok      ok    404    ok         404      ok    404
POST   /posts/{post_id:id}/unblock-author                           login     ok     404        ok      ok    404    ok         404      ok    404
GET    /register                                                    ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /register                                                    ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /reset-password                                              ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /reset-password                                              ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /rooms/{room_id:id}/settings                                 login     403    404        403     403   404    ok         404      ok    404
POST   /rules/proposals/{proposal_id:id}/decline                    login     403    404        403     403   404    403        404      ok    404
POST   /rules/proposals/{proposal_id:id}/endorse                    login     ok     404        409     403   404    ok         404      ok    404
POST   /rules/proposals/{proposal_id:id}/ratify                     login     403    404        403     403   404    403        404      ok    404
POST   /rules/proposals/{proposal_id:id}/withdraw                   login     403    404        403     403   404    403        404      403   404
GET    /search                                                      ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /welcome                                                     login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /welcome                                                     login     ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /support                                                     ok        ok     ok         ok      ok    ok     ok         ok       ok    ok
GET    /threads/{thread_id:id}                                      404       ok     404        ok      ok    404    ok         404      ok    404
POST   /threads/{thread_id:id}/reply                                login     ok     404        409     403   404    ok         404      ok    404
GET    /u/{username}                                                login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /u/{username}/block                                          login     ok     ok         ok      ok    ok     ok         ok       ok    ok
POST   /u/{username}/unblock                                        login     ok     ok         ok      ok    ok     ok         ok       ok    ok
WS     /ws/moderation                                               401       403    403        403     403   403    ok         ok       ok    ok
WS     /ws/notifications                                            401       ok     ok         ok      ok    ok     ok         ok       ok    ok
WS     /ws/rooms/{room_id:id}                                       401       ok     404        403     ok    404    ok         404      ok    404
"""
