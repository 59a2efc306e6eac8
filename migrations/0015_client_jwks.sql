CREATE TABLE `client_assertion_jtis` (
	`client_id` text NOT NULL,
	`jti` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`client_id`, `jti`)
);
--> statement-breakpoint
ALTER TABLE `clients` ADD `token_endpoint_auth_method` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `jwks` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `jwks_uri` text;