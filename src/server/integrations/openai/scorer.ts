import OpenAI from 'openai';
import { z } from 'zod';
import { type Integration, ServiceUnavailableError } from '../resilience';

/** The model's verdict on one candidate photo, checked before anything is written. */
export const verdictSchema = z.object({
  matches: z.boolean(),
  usable: z.boolean(),
  score: z.number().min(0).max(1),
  reasons: z.array(z.string().max(300)).max(10),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** The same shape as OpenAI's structured output asks for it (strict: every field required, nothing else). */
const verdictJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['matches', 'usable', 'score', 'reasons'],
  properties: {
    matches: { type: 'boolean', description: 'The photo shows this product (name, brand and size agree).' },
    usable: { type: 'boolean', description: 'Sharp, the product fills the frame, no other products in front.' },
    score: { type: 'number', description: 'Confidence 0..1 that the photo is a good catalogue photo of this product.' },
    reasons: { type: 'array', items: { type: 'string' }, description: 'Short reasons in Brazilian Portuguese.' },
  },
} as const;

const INSTRUCTIONS =
  'Você verifica fotos de produtos para o catálogo de uma rede de supermercados. Diga se a foto mostra o produto ' +
  'descrito (nome, marca e tamanho conferem) e se serve como foto de catálogo (nítida, o produto ocupa a foto, sem ' +
  'outros produtos na frente). Dê uma nota de 0 a 1 e razões curtas em português.';

/** The model answered, but not what was asked (schema, refusal, cut short): the photo needs a person. */
export class ScoringInvalid extends Error {
  override name = 'ScoringInvalid';
}

/** OpenAI refused our call for a reason waiting does not mend (key, model, request): a configuration problem. */
export class ScoringRefused extends Error {
  override name = 'ScoringRefused';
}

export type ScoreInput = { ean: string; name: string; brand: string | null; quantity: string | null; image: Buffer; imageType: string };
export type Scored = { verdict: Verdict; usage: { promptTokens: number; completionTokens: number } };
export type Scorer = { model: string; score(input: ScoreInput): Promise<Scored> };

/**
 * OpenAI's vision scoring, one chat completion per photo with a strict JSON schema, through its integration's
 * policy: the SDK's own retries are off (the policy retries 5xx, 429 and timeouts, and counts them for the breaker);
 * a refusal about our request or key is ScoringRefused, an answer that fails the schema ScoringInvalid.
 */
export function createScorer(opts: { apiKey: string; baseURL?: string; model: string; integration: Integration }): Scorer {
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, maxRetries: 0, timeout: 10 * 60_000 });
  return {
    model: opts.model,
    score: (input) =>
      opts.integration.execute(async (signal) => {
        let completion: OpenAI.Chat.Completions.ChatCompletion;
        try {
          completion = await client.chat.completions.create(
            {
              model: opts.model,
              max_completion_tokens: 300,
              response_format: { type: 'json_schema', json_schema: { name: 'photo_verdict', strict: true, schema: verdictJsonSchema } },
              messages: [
                { role: 'system', content: INSTRUCTIONS },
                {
                  role: 'user',
                  content: [
                    { type: 'text', text: describe(input) },
                    { type: 'image_url', image_url: { url: `data:${input.imageType};base64,${input.image.toString('base64')}`, detail: 'low' } },
                  ],
                },
              ],
            },
            { signal },
          );
        } catch (error) {
          throw classify(error);
        }
        const choice = completion.choices?.[0];
        const content = choice?.message?.content;
        if (!content) throw new ScoringInvalid(choice?.message?.refusal ? `The model refused: ${choice.message.refusal}` : 'The model gave no answer');
        let json: unknown;
        try {
          json = JSON.parse(content);
        } catch {
          throw new ScoringInvalid('The model answered something that is not JSON');
        }
        const verdict = verdictSchema.safeParse(json);
        if (!verdict.success) throw new ScoringInvalid(`The model's answer fails the schema: ${verdict.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        return {
          verdict: verdict.data,
          usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
        };
      }),
  };
}

function describe(input: ScoreInput): string {
  return [`Produto: ${input.name}`, input.brand && `Marca: ${input.brand}`, input.quantity && `Quantidade: ${input.quantity}`, `EAN: ${input.ean}`].filter(Boolean).join('\n');
}

function classify(error: unknown): unknown {
  // Aborted by the policy's time limit: the policy turns it into its timeout.
  if (error instanceof OpenAI.APIUserAbortError) return error;
  if (error instanceof OpenAI.APIConnectionError || error instanceof OpenAI.RateLimitError || error instanceof OpenAI.InternalServerError) {
    return new ServiceUnavailableError('openai', `OpenAI unavailable: ${(error as Error).message}`);
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number' && error.status >= 500) return new ServiceUnavailableError('openai', `OpenAI answered ${error.status}`);
  if (error instanceof OpenAI.APIError) return new ScoringRefused(`OpenAI refused the call (${error.status ?? '?'}): ${error.message}`);
  // A 200 whose body is not JSON, or any other surprise of the client: the answer, not the service.
  if (error instanceof SyntaxError || error instanceof OpenAI.OpenAIError) return new ScoringInvalid(`OpenAI's answer could not be read: ${(error as Error).message}`);
  return error;
}
