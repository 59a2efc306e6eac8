ALTER TABLE `clients` ADD `registration` text DEFAULT 'management' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `last_used_at` integer;--> statement-breakpoint
ALTER TABLE `clients` ADD `registration_token_hash` text;