CREATE TYPE "public"."channel_state" AS ENUM('ok', 'broken');--> statement-breakpoint
CREATE TYPE "public"."drift_event_kind" AS ENUM('opened', 'resolved', 'reopened', 'waived', 'waiver-expired', 'evidence-changed', 'appeared', 'disappeared', 'changed');--> statement-breakpoint
CREATE TYPE "public"."scan_kind" AS ENUM('full', 'inventory', 'evaluation');--> statement-breakpoint
CREATE TYPE "public"."token_role" AS ENUM('admin', 'auditor');--> statement-breakpoint
CREATE TABLE "access_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "access_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"token_id" uuid,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"status" integer NOT NULL,
	"outcome" text NOT NULL,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"role" "token_role" NOT NULL,
	"scope" text[],
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "drift_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "drift_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"kind" "drift_event_kind" NOT NULL,
	"tenant" text,
	"control" text,
	"subject_key" text NOT NULL,
	"resource" text NOT NULL,
	"provider" "provider",
	"account" text,
	"region" text,
	"severity" "severity",
	"before" jsonb,
	"after" jsonb,
	"scan_id" uuid,
	"batch_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finding_state" (
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
	"stale" boolean DEFAULT false NOT NULL,
	"stale_reason" text,
	"first_seen" timestamp with time zone NOT NULL,
	"status_since" timestamp with time zone NOT NULL,
	"last_evaluated_at" timestamp with time zone NOT NULL,
	"last_scan_id" uuid,
	CONSTRAINT "finding_state_identity_key" UNIQUE NULLS NOT DISTINCT("tenant","control","subject_key")
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"channel" text PRIMARY KEY NOT NULL,
	"state" "channel_state" DEFAULT 'ok' NOT NULL,
	"reason" text,
	"changed_at" timestamp with time zone NOT NULL,
	"last_delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel" text NOT NULL,
	"batch_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "outbox_batch_key" UNIQUE("channel","batch_id")
);
--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "stale" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "stale_reason" text;--> statement-breakpoint
ALTER TABLE "scans" ADD COLUMN "kind" "scan_kind" DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE "scans" ADD COLUMN "owner" text;--> statement-breakpoint
ALTER TABLE "scans" ADD COLUMN "cloud_calls" jsonb;--> statement-breakpoint
ALTER TABLE "drift_events" ADD CONSTRAINT "drift_events_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "finding_state" ADD CONSTRAINT "finding_state_last_scan_id_scans_id_fk" FOREIGN KEY ("last_scan_id") REFERENCES "public"."scans"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "access_log" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "drift_events_at_idx" ON "drift_events" USING btree ("at","id");--> statement-breakpoint
CREATE INDEX "drift_events_identity_idx" ON "drift_events" USING btree ("tenant","control","subject_key","at");--> statement-breakpoint
CREATE INDEX "drift_events_batch_idx" ON "drift_events" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "finding_state_list_idx" ON "finding_state" USING btree ("status","severity");--> statement-breakpoint
CREATE INDEX "finding_state_account_idx" ON "finding_state" USING btree ("provider","account");--> statement-breakpoint
CREATE INDEX "outbox_pending_idx" ON "outbox" USING btree ("channel","delivered_at","id");