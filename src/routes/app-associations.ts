import { nativeApps } from '../db/app-associations';
import type { AppContext } from '../http/context';

/**
 * The files that let iOS and Android apps use passkeys with edge-auth's RP ID (its host), from the
 * clients' `ios_app_ids` and `android_packages`. Served at the issuer's host; when WEBAUTHN_RP_ID is
 * a parent domain, the same files must be served at that domain too (docs/mobile-guide.md).
 * Cached for an hour: Apple's CDN and Google's verifier fetch them, not people.
 */
const CACHED = { 'Cache-Control': 'public, max-age=3600' };

/** GET /.well-known/apple-app-site-association: `webcredentials` (Apple, "Supporting associated domains"). */
export async function appleAppSiteAssociation(c: AppContext): Promise<Response> {
  const apps = [...new Set((await nativeApps(c.env)).flatMap((client) => client.iosAppIds))];
  return c.json({ webcredentials: { apps } }, 200, CACHED);
}

/**
 * GET /.well-known/assetlinks.json: Digital Asset Links statements with the relation
 * `delegate_permission/common.get_login_creds`, which Android's Credential Manager checks before it
 * lets an app use passkeys of this RP ID. Not `handle_all_urls`: an app's claimed redirect (App
 * Links) lives on the app's own domain, and edge-auth's pages must open in the browser.
 */
export async function assetLinks(c: AppContext): Promise<Response> {
  const packages = (await nativeApps(c.env)).flatMap((client) => client.androidPackages);
  const statements = packages.map((app) => ({
    relation: ['delegate_permission/common.get_login_creds'],
    target: { namespace: 'android_app', package_name: app.package_name, sha256_cert_fingerprints: app.sha256_cert_fingerprints },
  }));
  return c.json(statements, 200, CACHED);
}
