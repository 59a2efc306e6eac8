import type { UnverifiedApp } from '../views/unverified-app';
import { redirectDestination } from './client-metadata';
import { metadataPublisher } from './client-metadata-document';

/**
 * Whether the pages must say the app is unverified: it registered itself (RFC 7591), or its
 * client_id is the URL of a metadata document. Then where its code would go, and who published it.
 */
export function unverifiedApp(client: { registration?: string } | undefined, clientId: string, redirectUri: string): UnverifiedApp | undefined {
  const publishedBy = metadataPublisher(clientId);
  if (publishedBy === undefined && client?.registration !== 'dynamic') return undefined;
  return { destination: redirectDestination(redirectUri), publishedBy };
}
