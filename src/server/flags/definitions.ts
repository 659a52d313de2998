/**
 * The feature flags: the risky paths a chain may switch off without a deploy (README "Feature flags"). Each has its
 * default (what an org that never chose gets) and says whether a store may differ from its org.
 */
export const featureFlagDefinitions = {
  /** OpenAI scores product photos; off: every photo goes to manual review. */
  imageScoring: { default: true, perStore: false },
  /** Google Vision's verdict on compliance photos; off: every submission waits for a manager. */
  complianceAutoVerdicts: { default: true, perStore: true },
  /** Push notifications to phones and tablets; off: notifications stay in the app's bell only. */
  pushDelivery: { default: true, perStore: false },
} as const satisfies Record<string, { default: boolean; perStore: boolean }>;

export type FeatureFlag = keyof typeof featureFlagDefinitions;
export const featureFlagNames = Object.keys(featureFlagDefinitions) as [FeatureFlag, ...FeatureFlag[]];
