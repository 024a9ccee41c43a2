from deconflict.domain.errors import InvalidCoordinate


def test_error_names_its_field_path() -> None:
    err = InvalidCoordinate("latitude 95 is outside -90..90", field="lat").at("volumes[0]")
    assert str(err) == "volumes[0].lat: latitude 95 is outside -90..90"
    assert err.code == "invalid_coordinate"
