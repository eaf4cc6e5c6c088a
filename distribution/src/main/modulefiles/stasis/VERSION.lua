-- Stasis @VERSION@: transparent checkpoint/restart (DMTCP-compatible commands). Lmod modulefile.
--
-- Installed as <home>/share/stasis/modulefiles/stasis/@VERSION@.lua; the installation is found
-- relative to this file. If you copy this file into your site's module tree instead of adding
-- <home>/share/stasis/modulefiles to MODULEPATH, replace the line that sets "home" with the
-- installation's absolute path.

help([[
Stasis @VERSION@: checkpoint/restart for unmodified Linux programs.
Commands: dmtcp_launch, dmtcp_restart, dmtcp_command, dmtcp_coordinator, stasis.
See 'stasis plugins' for the plugins this installation has and which are enabled.
]])

whatis("Name: Stasis")
whatis("Version: @VERSION@")
whatis("Description: transparent checkpoint/restart (DMTCP-compatible)")

local home = myFileName():gsub("/share/stasis/modulefiles/stasis/[^/]+$", "")

setenv("STASIS_HOME", home)
prepend_path("PATH", pathJoin(home, "bin"))

-- Site policy for everyone who loads this module. Uncomment and adapt; a user can still override
-- these with the environment variables below or with launch flags ('stasis plugins' shows which
-- layer decided each plugin).
--
-- A site configuration file (lines 'plugin.<name> = on|off'), read after the installation's
-- etc/stasis.conf:
-- setenv("STASIS_CONFIG", "/etc/stasis/site.conf")
--
-- Disable or enable a single plugin (1 = on, 0 = off); the name is the plugin name in upper
-- case, with dashes as underscores:
-- setenv("STASIS_PLUGIN_PTRACE", "0")
-- setenv("STASIS_PLUGIN_SLURM", "1")
-- setenv("STASIS_PLUGIN_INFINIBAND", "0")
