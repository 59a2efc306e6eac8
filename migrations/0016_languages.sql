ALTER TABLE `clients` ADD `default_locale` text;--> statement-breakpoint
ALTER TABLE `users` ADD `locale` text;