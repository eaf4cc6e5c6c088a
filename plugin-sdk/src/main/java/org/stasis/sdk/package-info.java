/**
 * The API of a Stasis plugin's Java half. A plugin bundle imports this package (the host
 * exports its own copy) and registers a {@link org.stasis.sdk.StasisPlugin} service.
 * Compatibility is governed by {@link org.stasis.sdk.SdkVersion}; the OSGi export version of
 * this package is the SDK version.
 *
 * <h2>Writing a plugin</h2>
 * <ol>
 *   <li>Make an OSGi bundle whose manifest has {@code Bundle-SymbolicName},
 *       {@code Import-Package: org.stasis.sdk;version="[1.0,2)"}, {@code Stasis-Plugin-Name: counter},
 *       {@code Stasis-Sdk-Version: 1.0} and, if it should be on without being asked for,
 *       {@code Stasis-Default-Enabled: true}.</li>
 *   <li>In its {@code BundleActivator}, register an implementation of
 *       {@link org.stasis.sdk.StasisPlugin} under that interface; implement only the hooks you
 *       need.</li>
 *   <li>Declare command-line options in {@link org.stasis.sdk.StasisPlugin#options()}, named
 *       {@code --counter-...}. Users give them to {@code dmtcp_launch} / {@code dmtcp_restart}
 *       before the program or images; your hooks get their values in the contexts, and a native
 *       half reads them from {@code STASIS_OPT_COUNTER_...} variables (see {@link
 *       org.stasis.sdk.PluginOption}).</li>
 *   <li>Install the bundle (jar or folder) in the installation's {@code bundles/}, or give it to a
 *       launch with {@code --with-plugin path/to/counter.jar}; the restart script and the
 *       coordinator find such bundles again by themselves. {@code stasis plugins} shows whether it
 *       loaded and is enabled.</li>
 * </ol>
 *
 * <p>Failures a user should act on are thrown as exceptions with a message that says what is
 * wrong and what to do; it is shown as one line after the plugin's name.
 */
package org.stasis.sdk;
