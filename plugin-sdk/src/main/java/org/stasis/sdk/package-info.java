/**
 * The API of a Stasis plugin's Java half. A plugin bundle imports this package (the host
 * exports its own copy) and registers a {@link org.stasis.sdk.StasisPlugin} service.
 * Compatibility is governed by {@link org.stasis.sdk.SdkVersion}; the OSGi export version of
 * this package is the SDK version.
 */
package org.stasis.sdk;
