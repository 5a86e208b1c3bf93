CREATE TYPE "public"."collection_status" AS ENUM('complete', 'partial', 'failed');--> statement-breakpoint
CREATE TYPE "public"."provider" AS ENUM('azure', 'aws');--> statement-breakpoint
CREATE TYPE "public"."scan_status" AS ENUM('running', 'complete', 'partial', 'failed');--> statement-breakpoint
CREATE TYPE "public"."severity" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TYPE "public"."verdict" AS ENUM('pass', 'fail', 'error', 'waived', 'not-applicable');--> statement-breakpoint
CREATE TABLE "findings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "findings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"scan_id" uuid NOT NULL,
	"tenant" text,
	"control" text NOT NULL,
	"subject_key" text NOT NULL,
	"resource" text NOT NULL,
	"provider" "provider",
	"account" text,
	"type" text,
	"region" text,
	"status" "verdict" NOT NULL,
	"severity" "severity" NOT NULL,
	"message" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"waiver" jsonb,
	CONSTRAINT "findings_identity_key" UNIQUE NULLS NOT DISTINCT("scan_id","tenant","control","subject_key")
);
--> statement-breakpoint
CREATE TABLE "resource_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "resource_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"provider" "provider" NOT NULL,
	"resource_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"raw" jsonb NOT NULL,
	"scan_id" uuid,
	"captured_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"provider" "provider" NOT NULL,
	"key" text NOT NULL,
	"id" text NOT NULL,
	"account" text NOT NULL,
	"type" text NOT NULL,
	"region" text,
	"location" text,
	"name" text NOT NULL,
	"tags" jsonb NOT NULL,
	"raw" jsonb NOT NULL,
	"references" jsonb NOT NULL,
	"parent_key" text,
	"content_hash" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"last_seen" timestamp with time zone NOT NULL,
	"last_scan_id" uuid,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "resources_provider_key_pk" PRIMARY KEY("provider","key")
);
--> statement-breakpoint
CREATE TABLE "scan_accounts" (
	"scan_id" uuid NOT NULL,
	"provider" "provider" NOT NULL,
	"account" text NOT NULL,
	"owner" text,
	"status" "collection_status" NOT NULL,
	"reason" text,
	"resources" integer NOT NULL,
	"skipped_regions" text[] NOT NULL,
	"complete_regions" text[] NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "scan_accounts_scan_id_provider_account_pk" PRIMARY KEY("scan_id","provider","account")
);
--> statement-breakpoint
CREATE TABLE "scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"status" "scan_status" DEFAULT 'running' NOT NULL,
	"trigger" text NOT NULL,
	"policy_hash" text
);
--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resource_snapshots" ADD CONSTRAINT "resource_snapshots_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resources" ADD CONSTRAINT "resources_last_scan_id_scans_id_fk" FOREIGN KEY ("last_scan_id") REFERENCES "public"."scans"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scan_accounts" ADD CONSTRAINT "scan_accounts_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "findings_history_idx" ON "findings" USING btree ("tenant","control","subject_key");--> statement-breakpoint
CREATE INDEX "findings_stream_idx" ON "findings" USING btree ("scan_id",(coalesce("tenant", '') collate "C"),("control" collate "C"),("resource" collate "C"),"id");--> statement-breakpoint
CREATE INDEX "resource_snapshots_key_idx" ON "resource_snapshots" USING btree ("provider","resource_key","captured_at");--> statement-breakpoint
CREATE INDEX "resources_last_scan_idx" ON "resources" USING btree ("last_scan_id","provider","key");--> statement-breakpoint
CREATE INDEX "resources_account_idx" ON "resources" USING btree ("provider","account");--> statement-breakpoint
CREATE INDEX "scans_started_at_idx" ON "scans" USING btree ("started_at","id");