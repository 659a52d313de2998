DROP INDEX "stock_movements_history_idx";--> statement-breakpoint
CREATE INDEX "stock_movements_history_idx" ON "stock_movements" USING btree ("store_id","product_id","id" DESC NULLS LAST);