CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`display_name` text NOT NULL,
	`issuer` text,
	`client_id` text NOT NULL,
	`secret_sealed` text,
	`secret_ref` text,
	`apple_team_id` text,
	`apple_key_id` text,
	`scopes` text DEFAULT '[]' NOT NULL,
	`response_mode` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connections_name_unique` ON `connections` (`name`);--> statement-breakpoint
CREATE TABLE `user_identities` (
	`connection_id` text NOT NULL,
	`subject` text NOT NULL,
	`user_id` text NOT NULL,
	`email` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`connection_id`, `subject`),
	FOREIGN KEY (`connection_id`) REFERENCES `connections`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_identities_user` ON `user_identities` (`user_id`);--> statement-breakpoint
ALTER TABLE `clients` ADD `connections` text DEFAULT '[]' NOT NULL;
--> statement-breakpoint
-- Written by hand after drizzle-kit generate: the Management API's connection scopes. Grants that
-- held every Management API scope (bootstrap's and dev-admin's) keep holding every one (as in 0006).
UPDATE client_grants
SET scopes = json_insert(json_insert(json_insert(json_insert(scopes, '$[#]', 'read:connections'), '$[#]', 'create:connections'), '$[#]', 'update:connections'), '$[#]', 'delete:connections'),
  updated_at = (unixepoch('subsec') * 1000)
WHERE audience = 'urn:edge-auth:management-api'
  AND NOT EXISTS (SELECT 1 FROM json_each(client_grants.scopes) WHERE value = 'read:connections')
  AND NOT EXISTS (
    SELECT 1 FROM apis, json_each(apis.scopes) AS defined
    WHERE apis.identifier = 'urn:edge-auth:management-api'
      AND defined.value NOT IN (SELECT value FROM json_each(client_grants.scopes))
  );
--> statement-breakpoint
UPDATE apis
SET scopes = json_insert(json_insert(json_insert(json_insert(scopes, '$[#]', 'read:connections'), '$[#]', 'create:connections'), '$[#]', 'update:connections'), '$[#]', 'delete:connections'),
  updated_at = (unixepoch('subsec') * 1000)
WHERE identifier = 'urn:edge-auth:management-api'
  AND NOT EXISTS (SELECT 1 FROM json_each(apis.scopes) WHERE value = 'read:connections');
