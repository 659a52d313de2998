-- The search functions name the function they call with its schema. pg_dump's output runs with an empty
-- search_path, and restoring products computes their stored `search_words` through search_words(): unqualified,
-- immutable_unaccent() was not found and db:restore failed. Same bodies, same results (no stored value changes).
CREATE OR REPLACE FUNCTION public.search_words(text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
DECLARE
  t text := public.immutable_unaccent(lower($1));
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
$function$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.search_tokens(text)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
  WITH t AS (SELECT DISTINCT w FROM unnest(regexp_split_to_array(public.immutable_unaccent(lower($1)), '[^[:alnum:]]+')) w WHERE w <> '')
  SELECT coalesce(array_agg(a.w ORDER BY length(a.w) DESC, a.w COLLATE "C"), '{}') FROM t a
   WHERE NOT EXISTS (SELECT 1 FROM t b WHERE b.w <> a.w AND starts_with(b.w, a.w))
$function$;
