import Yams
import CSQLite
import SluiceCSV
public enum PlaceholderE {}
