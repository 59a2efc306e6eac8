ALTER TABLE `clients` ADD `post_logout_redirect_uris` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `refresh_token_absolute_ttl_seconds` integer DEFAULT 2592000 NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `refresh_token_idle_ttl_seconds` integer DEFAULT 1209600 NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `refresh_token_reuse_leeway_seconds` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `name` text;--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified` integer DEFAULT false NOT NULL;