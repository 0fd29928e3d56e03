import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Registered on the dev server with --search-attribute (see server/temporal-dev-server.ts)
// so operators can filter builds in the Temporal Web UI and with `temporal workflow list --query`.
export const BuildIdKey = defineSearchAttributeKey('BuildId', SearchAttributeType.KEYWORD);
export const BuildStatusKey = defineSearchAttributeKey('BuildStatus', SearchAttributeType.KEYWORD);
export const BuildOwnerKey = defineSearchAttributeKey('BuildOwner', SearchAttributeType.KEYWORD);
export const BuildIterationKey = defineSearchAttributeKey('BuildIteration', SearchAttributeType.INT);
export const FeaturesPassingKey = defineSearchAttributeKey('FeaturesPassing', SearchAttributeType.INT);
export const FeaturesTotalKey = defineSearchAttributeKey('FeaturesTotal', SearchAttributeType.INT);

export const BUILD_SEARCH_ATTRIBUTES = [BuildIdKey, BuildStatusKey, BuildOwnerKey, BuildIterationKey, FeaturesPassingKey, FeaturesTotalKey];
