import SluiceCore
public enum PlaceholderCSV {}
