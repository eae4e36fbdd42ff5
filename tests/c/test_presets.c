/* Every listed preset loads and checks, and the list is the one the
 * unknown-preset message names (so presets() in the JS API misses none). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "towerlens/buf.h"
#include "towerlens/train.h"

int main(void)
{
    tl_error err;
    tl_train_config c;
    tl_buf names;
    tl_buf_init(&names);
    size_t n = 0;
    for (const char *name; (name = tl_train_preset_name(n)) != NULL; n++) {
        CHECK_INT(tl_train_config_preset(&c, name, &err), TL_OK);
        CHECK_INT(tl_train_config_check(&c, &err), TL_OK);
        CHECK_STR(c.preset, name);
        tl_buf_printf(&names, "%s%s", n ? ", " : "", name);
    }
    CHECK(n >= 2);
    CHECK_INT(tl_train_config_preset(&c, "no-such-preset", &err), TL_E_ARG);
    char expected[256];
    snprintf(expected, sizeof expected, "(known: %s)", names.data);
    CHECK_CONTAINS(err.message, expected);
    tl_buf_free(&names);
    return check_report("test_presets");
}
