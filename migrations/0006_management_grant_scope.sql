-- Management API scopes become privilege boundaries (SECURITY.md, finding 7): passing on Management
-- API access (a client grant for it, or the secret of a client that holds one) needs a scope of its
-- own, grant:management_api, on top of create:client_grants or update:clients.
--
-- Grants that held every Management API scope (bootstrap's and dev-admin's) keep holding every one;
-- without this, an existing deployment could no longer give anyone Management API access, since no
-- client may pass on a scope it does not hold. Narrower grants are left as they are.
UPDATE client_grants
SET scopes = json_insert(scopes, '$[#]', 'grant:management_api'), updated_at = (unixepoch('subsec') * 1000)
WHERE audience = 'urn:edge-auth:management-api'
  AND NOT EXISTS (SELECT 1 FROM json_each(client_grants.scopes) WHERE value = 'grant:management_api')
  AND NOT EXISTS (
    SELECT 1 FROM apis, json_each(apis.scopes) AS defined
    WHERE apis.identifier = 'urn:edge-auth:management-api'
      AND defined.value NOT IN (SELECT value FROM json_each(client_grants.scopes))
  );
--> statement-breakpoint
UPDATE apis
SET scopes = json_insert(scopes, '$[#]', 'grant:management_api'), updated_at = (unixepoch('subsec') * 1000)
WHERE identifier = 'urn:edge-auth:management-api'
  AND NOT EXISTS (SELECT 1 FROM json_each(apis.scopes) WHERE value = 'grant:management_api');
