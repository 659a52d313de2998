import { photoKeys } from '../images/keys';

/** A task's photo lives under `compliance/<org>/<task>/<photo>`: original, 512 px and 128 px WebP, as product photos. */
export const compliancePhotoKey = (orgId: string, taskId: string, photoId: string) => `compliance/${orgId}/${taskId}/${photoId}`;
export const compliancePhotoFiles = (orgId: string, taskId: string, photoId: string) => photoKeys(compliancePhotoKey(orgId, taskId, photoId));
