"""The till: sells at a checkout lane, journals every sale, keeps selling offline."""
