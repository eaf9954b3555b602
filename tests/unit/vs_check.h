/* vs_check.h: the main() every Check unit-test program shares. */
#ifndef VS_CHECK_H
#define VS_CHECK_H

#include <check.h>
#include <stdlib.h>

/* Run the suite made by make_suite; exit status 0 only if every test passed. */
#define VS_CHECK_MAIN(make_suite)                                                                  \
    int main(void)                                                                                 \
    {                                                                                              \
        SRunner *sr = srunner_create(make_suite());                                                \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                                          \
    }

#endif /* VS_CHECK_H */
