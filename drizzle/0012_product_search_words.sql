-- Product search by word prefix (issue 16): a word index kept by PostgreSQL replaces the trigram index, so a page of
-- matches in name order is read from an index in order instead of fetching and sorting every match.
--
-- The words of a text: lower case, accents removed (immutable_unaccent, 0010), split on every character that is not
-- a letter or digit. A word that mixes digits and letters also gives its runs ("5kg": 5kg, 5, kg, so "5 kg" finds it)
-- and a text with apostrophes also gives its words without them ("d'Água": d, agua, dagua; "Kellogg's": kellogg, s,
-- kelloggs). Sorted, each once, each after a space: ' 5 5kg arroz kg '.
CREATE FUNCTION "search_words"(text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  t text := immutable_unaccent(lower($1));
  words text[] := regexp_split_to_array(t, '[^[:alnum:]]+');
BEGIN
  IF t ~ '[''’]' THEN
    words := words || regexp_split_to_array(regexp_replace(t, '[''’]+', '', 'g'), '[^[:alnum:]]+');
  END IF;
  IF t ~ '[[:digit:]][[:alpha:]]|[[:alpha:]][[:digit:]]' THEN
    words := words || regexp_split_to_array(t, '[^[:alpha:]]+') || regexp_split_to_array(t, '[^[:digit:]]+');
  END IF;
  RETURN ' ' || array_to_string(ARRAY(SELECT DISTINCT w FROM unnest(words) w WHERE w <> '' ORDER BY w), ' ') || ' ';
END
$$;--> statement-breakpoint
-- What a search looks for: its words (split as above, without the extra runs), longest first, leaving out a word
-- that begins another one ("arr arroz" needs only "arroz": a word starting with "arroz" starts with "arr").
CREATE FUNCTION "search_tokens"(text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  WITH t AS (SELECT DISTINCT w FROM unnest(regexp_split_to_array(immutable_unaccent(lower($1)), '[^[:alnum:]]+')) w WHERE w <> '')
  SELECT coalesce(array_agg(a.w ORDER BY length(a.w) DESC, a.w COLLATE "C"), '{}') FROM t a
   WHERE NOT EXISTS (SELECT 1 FROM t b WHERE b.w <> a.w AND starts_with(b.w, a.w))
$$;--> statement-breakpoint
DROP INDEX "products_search_trgm_idx";--> statement-breakpoint
-- One rewrite of the table for both columns.
ALTER TABLE "products" DROP COLUMN "search_text",
  ADD COLUMN "search_words" text GENERATED ALWAYS AS (search_words(name || ' ' || coalesce(brand, '') || ' ' || coalesce(category, ''))) STORED;--> statement-breakpoint
-- Filled before its key exists: one sorted index build instead of an insert per row.
CREATE TABLE "product_search_words" (
	"org_id" uuid NOT NULL,
	"word" text collate "C" NOT NULL,
	"name_key" text collate "C" NOT NULL,
	"product_id" uuid NOT NULL
);
--> statement-breakpoint
INSERT INTO "product_search_words" ("org_id", "word", "name_key", "product_id")
SELECT p.org_id, w, p.name_key, p.id FROM "products" p, unnest(string_to_array(btrim(p.search_words), ' ')) w;--> statement-breakpoint
ALTER TABLE "product_search_words" ADD CONSTRAINT "product_search_words_org_id_word_name_key_product_id_pk" PRIMARY KEY("org_id","word","name_key","product_id");--> statement-breakpoint
ANALYZE "product_search_words";--> statement-breakpoint
-- The word table follows products in the statement that changes them: statement-level triggers with transition
-- tables, so a COPY or an import of thousands of products writes its words in one set-based statement. Rows are
-- deleted by their whole key (the old words, name_key and id), so no index on product_id is needed; there is no
-- foreign key for the same reason (its cascade would look rows up by product_id). Every product is indexed, active
-- or not: the list searches inactive products too (active=false|all), the active filter is checked on the product.
-- A bulk load may write the words itself instead (the scale seed: one sorted INSERT … SELECT after its COPY, and one
-- delete by org): it sets `myinventory.product_search_words` to 'caller' for its transaction (SET LOCAL).
CREATE FUNCTION "product_search_words_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('myinventory.product_search_words', true) = 'caller' THEN
    RETURN NULL;
  END IF;
  INSERT INTO product_search_words (org_id, word, name_key, product_id)
  SELECT n.org_id, w, n.name_key, n.id FROM new_products n, unnest(string_to_array(btrim(n.search_words), ' ')) w;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION "product_search_words_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('myinventory.product_search_words', true) = 'caller' THEN
    RETURN NULL;
  END IF;
  DELETE FROM product_search_words s
   USING old_products o, unnest(string_to_array(btrim(o.search_words), ' ')) w
   WHERE s.org_id = o.org_id AND s.word = w AND s.name_key = o.name_key AND s.product_id = o.id;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Only rows whose org, name or words changed are rewritten (a price or image update touches nothing here).
CREATE FUNCTION "product_search_words_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('myinventory.product_search_words', true) = 'caller' THEN
    RETURN NULL;
  END IF;
  DELETE FROM product_search_words s
   USING (SELECT o.* FROM old_products o WHERE NOT EXISTS (
            SELECT 1 FROM new_products n WHERE n.id = o.id AND n.org_id = o.org_id AND n.name_key = o.name_key AND n.search_words = o.search_words)) o,
         unnest(string_to_array(btrim(o.search_words), ' ')) w
   WHERE s.org_id = o.org_id AND s.word = w AND s.name_key = o.name_key AND s.product_id = o.id;
  INSERT INTO product_search_words (org_id, word, name_key, product_id)
  SELECT n.org_id, w, n.name_key, n.id
    FROM (SELECT n.* FROM new_products n WHERE NOT EXISTS (
            SELECT 1 FROM old_products o WHERE o.id = n.id AND o.org_id = n.org_id AND o.name_key = n.name_key AND o.search_words = n.search_words)) n,
         unnest(string_to_array(btrim(n.search_words), ' ')) w;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION "product_search_words_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE product_search_words;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "products_search_words_insert" AFTER INSERT ON "products" REFERENCING NEW TABLE AS new_products
  FOR EACH STATEMENT EXECUTE FUNCTION "product_search_words_insert"();--> statement-breakpoint
CREATE TRIGGER "products_search_words_update" AFTER UPDATE ON "products" REFERENCING OLD TABLE AS old_products NEW TABLE AS new_products
  FOR EACH STATEMENT EXECUTE FUNCTION "product_search_words_update"();--> statement-breakpoint
CREATE TRIGGER "products_search_words_delete" AFTER DELETE ON "products" REFERENCING OLD TABLE AS old_products
  FOR EACH STATEMENT EXECUTE FUNCTION "product_search_words_delete"();--> statement-breakpoint
CREATE TRIGGER "products_search_words_truncate" AFTER TRUNCATE ON "products"
  FOR EACH STATEMENT EXECUTE FUNCTION "product_search_words_truncate"();--> statement-breakpoint
-- One page of a words search, in the list's order: (rank, name_key in C collation, id), at most p_limit + 1 rows
-- after the cursor (p_after_*: the last row's rank, name_key and id; all null for the first page).
--   rank 0: names starting with what was typed (p_search, lower case, no accents): a range of products' name index.
--   rank 1: the other products having, for every word of the search, a word that starts with it (search_tokens),
--           in name, brand or category.
-- p_active, p_category, p_buyer: the list's filters (null: any). U+10FFFF (a noncharacter) stands for "the end":
-- x || U+10FFFF bounds the words and names starting with x, so a name or word holding it right there is missed.
--
-- Rank 1 walks one word's products in name order (the driver) and checks each candidate on its product row
-- (search_words LIKE '% word%' for every search word, and the filters), batch after batch, until the page is full.
-- The words that can drive are the search's and p_category's (a product of the category has them); each is first
-- counted up to 1,000 products (index-only), and a word with none ends the search.
--   * the first word with the fewest products, if under 1,000, drives: its products are read whole and sorted
--     (under 1,000 index entries, once per segment below);
--   * otherwise the word spanning the fewest distinct words (at most 32, found by a skip scan) is walked word by
--     word, merged in name order, in batches that double from the page size up to 1,024; after a full batch that
--     did not fill the page, every word of at most 32 distinct words jumps the walk to the furthest of their next
--     products (a stretch of names where one word has no product cannot hold a match), so "arroz 400g" ends in a
--     few index probes;
--   * when every word is short and common (each spans over 32 distinct words, as one letter may), the name index is
--     itself walked in the same batches.
-- The name order has two segments for rank 1: before the rank-0 range and after it, so the walk never reads the
-- rank-0 names. The work stops at a full page; a search whose matches are rare among its driver's products reads
-- that driver's products up to the page's last match (worst: common words that seldom meet, e.g. "2,5kg").
CREATE FUNCTION "product_search"(
  p_org uuid, p_search text, p_limit integer,
  p_after_rank integer, p_after_key text, p_after_id uuid,
  p_active boolean, p_category text, p_buyer uuid
) RETURNS TABLE (product_id uuid, rank integer, name_key text)
LANGUAGE plpgsql STABLE ROWS 50 AS $$
DECLARE
  c_rare CONSTANT integer := 1000;
  c_merge CONSTANT integer := 32;
  c_batch_max CONSTANT integer := 1024;
  c_last CONSTANT text := chr(1114111);
  c_nil CONSTANT uuid := '00000000-0000-0000-0000-000000000000';
  v_prefix text := immutable_unaccent(lower(p_search));
  v_prefix_end text := v_prefix || c_last;
  v_tokens text[] := search_tokens(p_search);
  v_patterns text[];
  v_walk text[];
  v_need integer := p_limit + 1;
  v_rows integer;
  v_t text;
  v_n integer;
  v_best integer;
  v_source text;
  v_driver text;
  v_driver_words text[];
  v_words text[];
  v_skip_words text[] := '{}';
  v_skip_owner integer[] := '{}';
  v_skips integer := 0;
  v_key_nk text;
  v_key_id uuid;
  v_seg_end text;
  v_batch integer;
  v_nks text[];
  v_ids uuid[];
  v_seen integer;
  v_m_nk text;
  v_m_id uuid;
  v_max_nk text;
  v_max_id uuid;
BEGIN
  IF p_after_rank IS NULL OR p_after_rank = 0 THEN
    RETURN QUERY
      SELECT p.id, 0, p.name_key FROM products p
       WHERE p.org_id = p_org AND ((p.name_key COLLATE "C"), p.id) > (coalesce(p_after_key, v_prefix), coalesce(p_after_id, c_nil))
         AND (p.name_key COLLATE "C") < v_prefix_end
         AND (p_active IS NULL OR p.active = p_active) AND (p_category IS NULL OR p.category = p_category) AND (p_buyer IS NULL OR p.buyer_id = p_buyer)
       ORDER BY (p.name_key COLLATE "C"), p.id
       LIMIT v_need;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    v_need := v_need - v_rows;
    v_key_nk := '';
    v_key_id := c_nil;
  ELSIF p_after_rank = 1 THEN
    v_key_nk := p_after_key;
    v_key_id := p_after_id;
  ELSE
    RETURN;
  END IF;
  IF v_need <= 0 OR cardinality(v_tokens) = 0 THEN
    RETURN;
  END IF;

  v_patterns := ARRAY(SELECT '% ' || t || '%' FROM unnest(v_tokens) t);
  -- A product of the category has the category's words: they can drive the walk too (checked by equality).
  v_walk := v_tokens;
  IF p_category IS NOT NULL THEN
    v_walk := v_walk || search_tokens(p_category);
  END IF;

  -- The driver: the first word with the fewest products, counted up to c_rare (index-only).
  v_best := c_rare;
  FOREACH v_t IN ARRAY v_walk LOOP
    SELECT count(*) INTO v_n FROM (
      SELECT 1 FROM product_search_words s WHERE s.org_id = p_org AND s.word >= v_t AND s.word < v_t || c_last LIMIT c_rare) x;
    IF v_n = 0 THEN
      RETURN;
    END IF;
    IF v_n < v_best THEN
      v_best := v_n;
      v_driver := v_t;
    END IF;
  END LOOP;

  IF v_driver IS NOT NULL THEN
    v_source := 'range';
  ELSE
    -- Every word is common: the distinct words each one starts (a skip scan, at most c_merge + 1 probes).
    v_best := c_merge + 1;
    FOREACH v_t IN ARRAY v_walk LOOP
      WITH RECURSIVE w(word) AS (
        (SELECT s.word FROM product_search_words s WHERE s.org_id = p_org AND s.word >= v_t AND s.word < v_t || c_last ORDER BY s.word LIMIT 1)
        UNION ALL
        SELECT (SELECT s.word FROM product_search_words s WHERE s.org_id = p_org AND s.word > w.word AND s.word < v_t || c_last ORDER BY s.word LIMIT 1)
          FROM w WHERE w.word IS NOT NULL
      )
      SELECT array_agg(x.word) INTO v_words FROM (SELECT w.word FROM w WHERE w.word IS NOT NULL LIMIT c_merge + 1) x;
      v_n := cardinality(v_words);
      IF v_n <= c_merge THEN
        v_skips := v_skips + 1;
        v_skip_words := v_skip_words || v_words;
        v_skip_owner := v_skip_owner || array_fill(v_skips, ARRAY[v_n]);
        IF v_n < v_best THEN
          v_best := v_n;
          v_driver := v_t;
          v_driver_words := v_words;
        END IF;
      END IF;
    END LOOP;
    v_source := CASE WHEN v_driver IS NULL THEN 'names' ELSE 'merge' END;
  END IF;

  -- Segment 1: names before the rank-0 range; segment 2: after it.
  IF v_key_nk COLLATE "C" < v_prefix THEN
    v_seg_end := v_prefix;
  ELSE
    v_seg_end := c_last;
    IF v_key_nk COLLATE "C" < v_prefix_end THEN
      v_key_nk := v_prefix_end;
      v_key_id := c_nil;
    END IF;
  END IF;
  v_batch := greatest(v_need, 16);

  LOOP
    -- The next candidates after the key, in name order.
    IF v_source = 'range' THEN
      SELECT array_agg(c.name_key ORDER BY c.name_key, c.product_id), array_agg(c.product_id ORDER BY c.name_key, c.product_id) INTO v_nks, v_ids
        FROM (SELECT DISTINCT s.name_key, s.product_id FROM product_search_words s
               WHERE s.org_id = p_org AND s.word >= v_driver AND s.word < v_driver || c_last
                 AND (s.name_key, s.product_id) > (v_key_nk, v_key_id) AND s.name_key < v_seg_end) c;
    ELSIF v_source = 'merge' THEN
      SELECT array_agg(c.name_key ORDER BY c.name_key, c.product_id), array_agg(c.product_id ORDER BY c.name_key, c.product_id) INTO v_nks, v_ids
        FROM (SELECT DISTINCT x.name_key, x.product_id FROM unnest(v_driver_words) d(word) CROSS JOIN LATERAL (
                SELECT s.name_key, s.product_id FROM product_search_words s
                 WHERE s.org_id = p_org AND s.word = d.word AND (s.name_key, s.product_id) > (v_key_nk, v_key_id) AND s.name_key < v_seg_end
                 ORDER BY s.name_key, s.product_id LIMIT v_batch) x
               ORDER BY x.name_key, x.product_id LIMIT v_batch) c;
    ELSE
      SELECT array_agg(c.name_key ORDER BY c.name_key, c.id), array_agg(c.id ORDER BY c.name_key, c.id) INTO v_nks, v_ids
        FROM (SELECT (p.name_key COLLATE "C") AS name_key, p.id FROM products p
               WHERE p.org_id = p_org AND ((p.name_key COLLATE "C"), p.id) > (v_key_nk, v_key_id) AND (p.name_key COLLATE "C") < v_seg_end
               ORDER BY (p.name_key COLLATE "C"), p.id LIMIT v_batch) c;
    END IF;
    v_seen := coalesce(cardinality(v_ids), 0);
    IF v_seen > 0 THEN
      RETURN QUERY
        SELECT c.id, 1, c.nk FROM unnest(v_nks, v_ids) WITH ORDINALITY AS c(nk, id, i)
          JOIN products p ON p.id = c.id
         WHERE p.search_words LIKE ALL (v_patterns)
           AND (p_active IS NULL OR p.active = p_active) AND (p_category IS NULL OR p.category = p_category) AND (p_buyer IS NULL OR p.buyer_id = p_buyer)
         ORDER BY c.i
         LIMIT v_need;
      GET DIAGNOSTICS v_rows = ROW_COUNT;
      v_need := v_need - v_rows;
      EXIT WHEN v_need = 0;
      v_key_nk := v_nks[v_seen];
      v_key_id := v_ids[v_seen];
    END IF;

    -- A batch without enough matches: the next match is no earlier than every other word's next product.
    IF v_source <> 'range' AND v_seen = v_batch AND v_skips > 1 THEN
      v_max_nk := v_key_nk;
      v_max_id := v_key_id;
      FOR v_n IN 1..v_skips LOOP
        SELECT x.name_key, x.product_id INTO v_m_nk, v_m_id
          FROM unnest(v_skip_words, v_skip_owner) d(word, owner) CROSS JOIN LATERAL (
            SELECT s.name_key, s.product_id FROM product_search_words s
             WHERE s.org_id = p_org AND s.word = d.word AND (s.name_key, s.product_id) > (v_key_nk, v_key_id) AND s.name_key < v_seg_end
             ORDER BY s.name_key, s.product_id LIMIT 1) x
         WHERE d.owner = v_n
         ORDER BY x.name_key, x.product_id LIMIT 1;
        IF NOT FOUND THEN
          v_seen := 0; -- a word with no product left in this segment: the segment is done
          EXIT;
        END IF;
        IF (v_m_nk COLLATE "C", v_m_id) > (v_max_nk COLLATE "C", v_max_id) THEN
          v_max_nk := v_m_nk;
          v_max_id := v_m_id;
        END IF;
      END LOOP;
      IF v_seen > 0 AND (v_max_nk COLLATE "C", v_max_id) > (v_key_nk COLLATE "C", v_key_id) THEN
        -- The product jumped to is itself a candidate: checked here, the walk goes on after it.
        RETURN QUERY
          SELECT p.id, 1, v_max_nk FROM products p
           WHERE p.id = v_max_id AND p.search_words LIKE ALL (v_patterns)
             AND (p_active IS NULL OR p.active = p_active) AND (p_category IS NULL OR p.category = p_category) AND (p_buyer IS NULL OR p.buyer_id = p_buyer);
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        v_need := v_need - v_rows;
        EXIT WHEN v_need = 0;
        v_key_nk := v_max_nk;
        v_key_id := v_max_id;
      END IF;
    END IF;

    IF v_source = 'range' OR v_seen < v_batch THEN
      -- This segment is done: on to the names after the rank-0 range, or the end.
      EXIT WHEN v_seg_end = c_last;
      v_seg_end := c_last;
      IF v_key_nk COLLATE "C" < v_prefix_end THEN
        v_key_nk := v_prefix_end;
        v_key_id := c_nil;
      END IF;
      v_batch := greatest(v_need, 16);
    ELSE
      v_batch := least(v_batch * 2, c_batch_max);
    END IF;
  END LOOP;
END
$$;
