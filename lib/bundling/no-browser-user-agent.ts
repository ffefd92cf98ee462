/**
 * Stands in for `bowser` in the Lambda bundles (see ./settings.ts). The SDK's shared client module
 * exports its browser user-agent provider beside the Node.js one, and that provider imports bowser
 * (34 KiB) to read `navigator.userAgent`; a CommonJS bundle inlines the import, so every cold start
 * would parse a browser sniffer that Node.js never calls. Should anything call it after all, the
 * user agent says "other"/"unknown", as the SDK does for a browser it cannot tell.
 */
export const parse = (): Record<string, never> => ({});

export default { parse };
